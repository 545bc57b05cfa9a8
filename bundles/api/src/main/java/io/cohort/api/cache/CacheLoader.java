package io.cohort.api.cache;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Computes a value for {@link Cache#wrap(String, Class, CacheLoader)} on a miss.
 *
 * @param <T> the type of the loaded value
 */
@ConsumerType
@FunctionalInterface
public interface CacheLoader<T> {

    /**
     * Computes the value. It runs on the calling thread of the first caller that missed.
     *
     * @return the value to cache and return, or {@code null} to cache nothing and return {@code null}
     * @throws Exception when the value cannot be computed, in which case nothing is cached
     */
    T load() throws Exception;
}
