package io.cohort.api.tx;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A unit of work without a result, run by {@link TransactionManager#run}.
 *
 * @param <X> the checked exception the work may throw, or {@link RuntimeException} for none
 */
@ConsumerType
@FunctionalInterface
public interface TransactionRunnable<X extends Exception> {

    /**
     * Does the work inside {@code transaction}. Returning commits the outermost transaction; throwing rolls it back.
     */
    void run(Transaction transaction) throws X;
}
