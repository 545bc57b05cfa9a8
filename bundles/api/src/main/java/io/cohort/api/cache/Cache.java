package io.cohort.api.cache;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A named cache of JSON values.
 *
 * <p>Values are written as JSON with Jackson and read back as the type the caller names, so any record, POJO, map,
 * list, string or number that Jackson can map round-trips, and the stored value never shares state with the caller's
 * object. Keys are 1 to 200 characters from {@code A-Z a-z 0-9 . _ - : /}.
 *
 * <p>A ttl is a positive {@link Duration} with at least millisecond precision. Methods without a ttl use the cache's
 * default ttl from {@link CacheOptions#ttl()}, and no expiry when that is empty.
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * <p><b>Warning:</b> a value that Jackson cannot write (for example an object with a cycle) is rejected with
 * {@link IllegalArgumentException}, and a stored value that cannot be read as the requested type raises
 * {@link IllegalStateException} naming the cache, the key and the type. Neither changes what is stored.
 */
@ProviderType
public interface Cache {

    /** Returns the name this cache was created with. */
    String name();

    /** Returns the options this cache was created with. */
    CacheOptions options();

    /**
     * Stores {@code value} under {@code key} with the cache's default ttl.
     *
     * @throws IllegalArgumentException if the key is invalid, the value is null or Jackson cannot write it
     */
    void set(String key, Object value);

    /**
     * Stores {@code value} under {@code key}, expiring after {@code ttl}.
     *
     * @throws IllegalArgumentException if the key is invalid, the value is null or cannot be written, or the ttl is
     *     not positive
     */
    void set(String key, Object value, Duration ttl);

    /** Returns the value under {@code key} read as {@code type}, or empty if the key is absent or expired. */
    <T> Optional<T> get(String key, Class<T> type);

    /**
     * Deletes the given keys.
     *
     * @return how many of the keys were present
     */
    long del(String... keys);

    /** Deletes every entry of this cache, and no entry of any other cache that shares its store. */
    void reset();

    /**
     * Returns the cached value under {@code key}, or runs {@code loader}, caches its result with the default ttl and
     * returns it.
     *
     * <p>The loader runs at most once per key on this node at a time: callers that miss while it runs wait for it
     * and get the same value, or the same error. A loader that throws caches nothing, and every waiting caller gets
     * a {@link CacheLoaderException} wrapping the cause. A loader that returns {@code null} caches nothing, and every
     * waiting caller gets {@code null}.
     */
    <T> T wrap(String key, Class<T> type, CacheLoader<T> loader);

    /** Like {@link #wrap(String, Class, CacheLoader)}, caching the loaded value for {@code ttl}. */
    <T> T wrap(String key, Class<T> type, CacheLoader<T> loader, Duration ttl);

    /**
     * Like {@link #wrap(String, Class, CacheLoader)}, with a condition that decides whether the cache is read at all
     * ({@link WrapCondition#useCache()}) and whether a loaded value is stored
     * ({@link WrapCondition#isCacheable(Object)}).
     */
    <T> T wrapWithCondition(String key, Class<T> type, CacheLoader<T> loader, WrapCondition<T> condition);

    /** Like {@link #wrapWithCondition(String, Class, CacheLoader, WrapCondition)}, caching for {@code ttl}. */
    <T> T wrapWithCondition(String key, Class<T> type, CacheLoader<T> loader, WrapCondition<T> condition,
            Duration ttl);

    /**
     * Stores every entry of {@code entries} with the default ttl. Every key and value is validated before the first
     * one is stored, so invalid input stores nothing.
     */
    void mset(Map<String, ?> entries);

    /** Like {@link #mset(Map)}, expiring each entry after {@code ttl}. */
    void mset(Map<String, ?> entries, Duration ttl);

    /** Returns the present keys among {@code keys} with their values read as {@code type}, in the order given. */
    <T> Map<String, T> mget(Collection<String> keys, Class<T> type);

    /**
     * Deletes the given keys.
     *
     * @return how many of the keys were present
     */
    long mdel(Collection<String> keys);

    /** Returns the keys of this cache that are present now, without the application and cache prefix. */
    Set<String> keys();

    /**
     * Returns how long {@code key} has left before it expires, with millisecond precision.
     *
     * @return the remaining time, or empty if the key is absent, has expired or was stored without expiry
     * @throws IllegalArgumentException if the key is invalid
     */
    Optional<Duration> ttl(String key);

    /**
     * Returns field {@code field} of the JSON object stored under {@code key}, read as {@code type}.
     *
     * @return the field's value, or empty if the key is absent or expired, or the object has no such field
     * @throws IllegalArgumentException if the key or the field name is invalid (field names follow the key rules)
     * @throws IllegalStateException if the stored value is not a JSON object, or the field cannot be read as
     *     {@code type}
     */
    <T> Optional<T> getValueInObject(String key, String field, Class<T> type);

    /**
     * Sets field {@code field} of the JSON object stored under {@code key} to {@code value}, keeping the other fields
     * and the entry's remaining ttl. An absent key becomes a new object with this one field and the cache's default
     * ttl.
     *
     * <p>The update is atomic per key in the store: when several threads or nodes update fields of the same key at
     * once, each update applies to the object as the previous one left it, so none is lost.
     *
     * @throws IllegalArgumentException if the key or field name is invalid, or the value is null or cannot be
     *     written as JSON
     * @throws IllegalStateException if the stored value is not a JSON object; nothing is changed then
     */
    void setValueInObject(String key, String field, Object value);

    /**
     * Removes field {@code field} from the JSON object stored under {@code key}, keeping the other fields and the
     * entry's remaining ttl, atomically per key like {@link #setValueInObject}. An object whose last field is
     * removed stays stored as an empty object.
     *
     * @return whether the field was present
     * @throws IllegalArgumentException if the key or the field name is invalid
     * @throws IllegalStateException if the stored value is not a JSON object; nothing is changed then
     */
    boolean delValueInObject(String key, String field);
}
