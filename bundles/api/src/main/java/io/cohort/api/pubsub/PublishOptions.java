package io.cohort.api.pubsub;

/**
 * The options of one publish.
 *
 * @param delivery which subscribers receive the message
 */
public record PublishOptions(Delivery delivery) {

    private static final PublishOptions DEFAULTS = new PublishOptions(Delivery.ALL);

    public PublishOptions {
        if (delivery == null) {
            throw new IllegalArgumentException("delivery is null; expected one of ALL, SKIP_SELF, ONLY_SELF");
        }
    }

    /** Returns the default: deliver to every subscriber, this node's included. */
    public static PublishOptions defaults() {
        return DEFAULTS;
    }

    /** Returns options that skip the subscribers on the publishing node. */
    public static PublishOptions skipSelf() {
        return new PublishOptions(Delivery.SKIP_SELF);
    }

    /** Returns options that deliver only to the subscribers on the publishing node. */
    public static PublishOptions onlySelf() {
        return new PublishOptions(Delivery.ONLY_SELF);
    }
}
