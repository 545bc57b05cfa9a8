package io.cohort.api.tx;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A running database transaction, as seen by services that must act only once it has ended.
 *
 * <p>Callbacks run on the thread that ends the outermost transaction, after the commit or the rollback, in the order
 * they were registered. A callback that throws is logged and does not stop the others or change the outcome.
 */
@ProviderType
public interface Transaction {

    /** Returns whether the transaction is still running, so that callbacks can still be registered. */
    boolean isActive();

    /**
     * Runs {@code callback} after the transaction commits; never if it rolls back.
     *
     * @throws IllegalStateException if the transaction has already ended
     */
    void afterCommit(Runnable callback);

    /**
     * Runs {@code callback} after the transaction rolls back; never if it commits.
     *
     * @throws IllegalStateException if the transaction has already ended
     */
    void afterRollback(Runnable callback);
}
