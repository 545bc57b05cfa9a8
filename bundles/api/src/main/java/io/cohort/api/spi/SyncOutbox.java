package io.cohort.api.spi;

import io.cohort.api.tx.Transaction;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Stores durable sync messages in the database, in the transaction of the change they announce, and relays them to
 * the pub/sub adapter after the commit. The sync manager calls it for messages sent with
 * {@code SyncOptions.durable}; plugins never call it. A node uses the one registered service with the highest
 * ranking.
 *
 * <p>The relay publishes each committed envelope unchanged, on its topic, through the pub/sub adapter of the node
 * that runs the relay, and then removes the row. Delivery is at least once: a relay that dies after publishing and
 * before removing the row leaves it to be published again, so receivers must drop envelope ids they have already
 * handled.
 */
@ConsumerType
public interface SyncOutbox {

    /**
     * Writes {@code envelope} for {@code topic} in {@code transaction}, so that the row commits or rolls back with
     * it. Runs on the transaction's thread, before the caller's publish returns.
     *
     * @param appName the application name, so that relays of other applications on the same database leave the
     *     row alone
     * @param topic the full topic, as the sync manager publishes it
     * @param envelope the envelope to publish; its id identifies the message to receivers
     * @throws IllegalArgumentException if {@code transaction} does not come from the transaction manager of the
     *     outbox's database
     * @throws IllegalStateException if the transaction has ended or the row could not be written; the message names
     *     the envelope id and the topic
     */
    void append(Transaction transaction, String appName, String topic, Envelope envelope);
}
