package io.cohort.api.tx;

import java.sql.Connection;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A running database transaction, as seen by services that must act only once it has ended.
 *
 * <p>Callbacks run on the thread that ends the outermost transaction, after the commit or the rollback, in the order
 * they were registered. A callback that throws is logged and does not stop the others or change the outcome.
 *
 * <p>Thread rules: a transaction belongs to the thread that began it. A transaction from {@link TransactionManager}
 * rejects calls to {@link #connection}, {@link #afterCommit}, {@link #afterRollback} and {@link #setRollbackOnly}
 * from any other thread with {@link IllegalStateException}.
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

    /**
     * Returns the JDBC connection that this transaction runs on. Statements run on it are part of the transaction.
     *
     * <p>The transaction manager owns the connection: {@code close()} on it does nothing, and {@code commit()},
     * {@code rollback()} and {@code setAutoCommit(true)} throw {@link IllegalStateException}. To roll back, throw
     * from the unit of work or call {@link #setRollbackOnly}.
     *
     * @throws IllegalStateException if the transaction has ended or the caller is not the transaction's thread
     * @throws UnsupportedOperationException if this transaction has no database connection; the default, for
     *     transactions that no {@link TransactionManager} created, such as test doubles
     */
    default Connection connection() {
        throw new UnsupportedOperationException(getClass().getName() + " has no database connection; use a "
                + "transaction from TransactionManager");
    }

    /**
     * Marks the transaction so that it rolls back when the outermost unit of work returns, instead of committing.
     * The unit of work still returns its value normally. Marking twice does nothing.
     *
     * @throws IllegalStateException if the transaction has ended or the caller is not the transaction's thread
     * @throws UnsupportedOperationException if the transaction cannot be marked; the default, for transactions
     *     that no {@link TransactionManager} created
     */
    default void setRollbackOnly() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot be marked rollback-only; use a "
                + "transaction from TransactionManager");
    }

    /**
     * Returns whether the transaction will roll back instead of committing: {@link #setRollbackOnly} was called, or
     * a nested unit of work threw. The default returns {@code false}.
     */
    default boolean isRollbackOnly() {
        return false;
    }
}
