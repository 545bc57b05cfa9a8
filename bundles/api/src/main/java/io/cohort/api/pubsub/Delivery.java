package io.cohort.api.pubsub;

/** Which subscribers receive a published message. */
public enum Delivery {

    /** Every subscriber on every node, the publishing node included. The default. */
    ALL,

    /** Every subscriber except those on the publishing node ({@code skipSelf}). */
    SKIP_SELF,

    /** Only the subscribers on the publishing node ({@code onlySelf}); nothing leaves the node. */
    ONLY_SELF
}
