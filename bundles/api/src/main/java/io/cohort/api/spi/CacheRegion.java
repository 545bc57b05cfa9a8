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

    /** Returns the time left before {@code key} expires, or {@code null} if it is absent, expired or never expires. */
    Duration remainingTtl(String key);

    /**
     * Sets {@code field} of the JSON object under {@code key} to the JSON {@code value} in one step that is atomic per
     * key on every node that shares the store, and keeps the entry's expiry. An absent or expired key becomes the
     * object <code>{"field": value}</code> expiring after {@code ttlIfAbsent} ({@code null} for never).
     *
     * @return {@link FieldChange#CHANGED}, or {@link FieldChange#NOT_AN_OBJECT} when the stored value is not a JSON
     *     object
     */
    FieldChange putField(String key, String field, byte[] value, Duration ttlIfAbsent);

    /**
     * Removes {@code field} from the JSON object under {@code key}, atomically per key like {@link #putField}, and
     * keeps the entry's expiry.
     *
     * @return {@link FieldChange#CHANGED} if the field was removed, {@link FieldChange#UNCHANGED} if the key or the
     *     field was absent, {@link FieldChange#NOT_AN_OBJECT} if the stored value is not a JSON object
     */
    FieldChange removeField(String key, String field);
}
