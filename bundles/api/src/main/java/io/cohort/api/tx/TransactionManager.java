package io.cohort.api.tx;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs units of work in transactions on Cohort's database.
 *
 * <p>{@link #call} and {@link #run} take a connection from the pool, turn auto-commit off and bind the transaction
 * to the calling thread. When the unit of work returns, the transaction commits; when it throws, the transaction
 * rolls back and the same exception is rethrown. Then the connection goes back to the pool, and the
 * {@link Transaction#afterCommit} or {@link Transaction#afterRollback} callbacks run on the calling thread.
 *
 * <p>A call made while the thread already runs a transaction joins it: the nested unit of work receives the same
 * {@link Transaction}, nothing commits when it returns, and callbacks it registers run after the outermost unit of
 * work ends. A nested unit of work that throws marks the whole transaction rollback-only. If the outer unit of work
 * catches that exception and returns, the transaction rolls back and {@link TransactionException} is thrown.
 *
 * <p>Thread rules: a transaction belongs to the thread that began it, so work handed to another thread does not
 * join it. A call from that other thread begins a transaction of its own, on another connection.
 *
 * <p><b>Warning:</b> each outermost transaction holds one pooled connection until it ends, so a unit of work that
 * blocks for long, or more threads in transactions than the pool has connections, make other callers wait for a
 * connection and fail with {@link TransactionException} after the pool's connection timeout.
 */
@ProviderType
public interface TransactionManager {

    /**
     * Runs {@code work} in a transaction, or in the thread's running transaction, and returns its value.
     *
     * @throws X what {@code work} throws, after the rollback; a failed rollback is added to it as suppressed
     * @throws TransactionException if no connection could be had, the commit failed (the transaction was then
     *     rolled back, unless the connection broke during the commit, which leaves the outcome unknown), or a
     *     nested unit of work threw and {@code work} returned anyway
     * @throws IllegalArgumentException if {@code work} is null
     */
    <T, X extends Exception> T call(TransactionCallable<T, X> work) throws X;

    /**
     * Runs {@code work} in a transaction, or in the thread's running transaction.
     *
     * @throws X what {@code work} throws, after the rollback
     * @throws TransactionException as {@link #call}
     * @throws IllegalArgumentException if {@code work} is null
     */
    <X extends Exception> void run(TransactionRunnable<X> work) throws X;

    /** Returns the transaction that the calling thread runs now, or empty outside a unit of work. */
    Optional<Transaction> current();
}
