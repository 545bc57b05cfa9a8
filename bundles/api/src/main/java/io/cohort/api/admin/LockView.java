package io.cohort.api.admin;

import java.time.Duration;
import java.time.Instant;

/**
 * A lease of a lock key held on one node. All three instants come from that node's clock, so {@link #heldFor()}
 * and {@link #ttlLeft()} do not depend on the clock of the node that displays them.
 *
 * @param nodeId the node that holds the lease
 * @param key the lock key, without the application prefix
 * @param owner the bundle that holds the lease, as {@code <symbolic name> [<bundle id>]}
 * @param fenceToken the fence token of the grant
 * @param acquiredAt when the lease was granted
 * @param expiresAt when the lease's ttl runs out
 * @param observedAt when the node read the lease for this view
 */
public record LockView(String nodeId, String key, String owner, long fenceToken, Instant acquiredAt,
        Instant expiresAt, Instant observedAt) {

    /** Returns how long the lease had been held when it was observed. */
    public Duration heldFor() {
        return Duration.between(acquiredAt, observedAt);
    }

    /** Returns the ttl left when the lease was observed; zero once the ttl has run out. */
    public Duration ttlLeft() {
        Duration left = Duration.between(observedAt, expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Returns the ttl the lease was granted for. */
    public Duration ttl() {
        return Duration.between(acquiredAt, expiresAt);
    }
}
