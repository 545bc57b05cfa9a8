package io.cohort.api.tx;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A unit of work that returns a value, run by {@link TransactionManager#call}.
 *
 * @param <T> the type of the value
 * @param <X> the checked exception the work may throw, or {@link RuntimeException} for none
 */
@ConsumerType
@FunctionalInterface
public interface TransactionCallable<T, X extends Exception> {

    /**
     * Does the work inside {@code transaction}. Returning commits the outermost transaction; throwing rolls it back.
     */
    T call(Transaction transaction) throws X;
}
