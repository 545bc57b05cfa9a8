package io.cohort.api.sync;

import io.cohort.api.tx.Transaction;

/**
 * The options of one sync message.
 *
 * @param transaction the transaction whose commit releases the message, or {@code null} to send at once
 */
public record SyncOptions(Transaction transaction) {

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
}
