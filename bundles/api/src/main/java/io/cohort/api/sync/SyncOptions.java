package io.cohort.api.sync;

import io.cohort.api.tx.Transaction;

/**
 * The options of one sync message.
 *
 * @param transaction the transaction whose commit releases the message, or {@code null} to send at once
 * @param durable whether the message is written to the outbox table in {@code transaction} and sent by a relay
 *     after the commit, so that a crash between the commit and the send does not lose it
 */
public record SyncOptions(Transaction transaction, boolean durable) {

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException if {@code durable} is set without a transaction
     */
    public SyncOptions {
        if (durable && transaction == null) {
            throw new IllegalArgumentException("durable is set but transaction is null; a durable sync message is "
                    + "written in a transaction: use SyncOptions.durable(transaction)");
        }
    }

    /** Creates options that do not use the outbox: {@code new SyncOptions(transaction, false)}. */
    public SyncOptions(Transaction transaction) {
        this(transaction, false);
    }

    /** Returns options that send at once. */
    public static SyncOptions immediate() {
        return new SyncOptions(null);
    }

    /** Returns options that send after {@code transaction} commits and drop the message on rollback. */
    public static SyncOptions afterCommit(Transaction transaction) {
        if (transaction == null) {
            throw new IllegalArgumentException("transaction is null; use SyncOptions.immediate() to send at once");
        }
        return new SyncOptions(transaction);
    }

    /**
     * Returns options that write the message to the outbox table in {@code transaction}, which must come from
     * {@link io.cohort.api.tx.TransactionManager}. The row commits or rolls back with the plugin's own changes. A
     * relay thread then sends committed rows and deletes them. If the node dies first, the relay of any other node
     * on the same database sends them. Sending is at least once, and receivers drop a message id they have already
     * handled, so a handler runs once per message.
     *
     * <p><b>Warning:</b> durable messages arrive later than messages sent without the outbox (usually within
     * milliseconds on the sending node, because the commit wakes its relay), so they can overtake or trail those.
     * When several relays run, durable messages of one node can also arrive out of publish order.
     *
     * @throws IllegalArgumentException if {@code transaction} is null
     */
    public static SyncOptions durable(Transaction transaction) {
        if (transaction == null) {
            throw new IllegalArgumentException("transaction is null; a durable sync message is written in a "
                    + "transaction from TransactionManager");
        }
        return new SyncOptions(transaction, true);
    }
}
