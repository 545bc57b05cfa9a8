package io.cohort.api.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The entries of one cache in a store. Keys are the caller's keys, already validated; values are JSON bytes. A
 * {@code null} ttl means no expiry. Every method may be called from any thread.
 */
@ConsumerType
public interface CacheRegion {

    /** Returns the value under {@code key}, or {@code null} if absent or expired. */
    byte[] get(String key);

    /** Returns the present entries among {@code keys}. */
    Map<String, byte[]> getAll(Collection<String> keys);

    void put(String key, byte[] value, Duration ttl);

    void putAll(Map<String, byte[]> entries, Duration ttl);

    /** Removes {@code key} and returns whether it was present. */
    boolean remove(String key);

    /** Removes {@code keys} and returns how many were present. */
    long removeAll(Collection<String> keys);

    /** Removes every entry of this region and of no other region. */
    void clear();

    /** Returns the keys present now. */
    Set<String> keys();

    /** Returns an estimate of the number of entries. */
    long size();
}
