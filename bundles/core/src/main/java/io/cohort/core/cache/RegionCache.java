package io.cohort.core.cache;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheLoader;
import io.cohort.api.cache.CacheLoaderException;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.cache.WrapCondition;
import io.cohort.api.spi.CacheRegion;
import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.api.spi.FieldChange;
import io.cohort.core.adapter.AdapterRegistry;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.Names;

import com.fasterxml.jackson.databind.JsonNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache whose entries live in one region of a cache store, as JSON bytes.
 *
 * <p>Every method validates all of its input before it touches the region, so a rejected call changes nothing. The
 * region is looked up through the store registry on each call: a store that registers again (for example after its
 * bundle was updated) is used from the next call on, and a store that is gone makes calls fail with
 * {@link IllegalStateException} naming it.
 *
 * <p>Single flight: the {@code wrap} methods register one flight per key on this node. The caller that registers it
 * runs the loader, stores the value, and then completes the flight, so a caller that comes after the flight is gone
 * finds the stored value. Callers that find a running flight wait for it and decode its JSON with their own type, so
 * each caller gets its own copy. A value that the leading call's condition rejects is still handed to the waiting
 * callers, but not stored. A waiting caller that is interrupted gets a {@link CacheLoaderException} whose cause is the
 * {@link InterruptedException}, with its interrupt flag set again.
 */
public final class RegionCache implements Cache {

    private static final Logger LOG = LoggerFactory.getLogger(RegionCache.class);
    private static final Duration MIN_TTL = Duration.ofMillis(1);

    /** Maximum ttl: ten years, far below the point where an expiry time in milliseconds would overflow. */
    static final Duration MAX_TTL = Duration.ofDays(3650);

    private final CacheOptions options;
    private final String store;
    private final String regionName;
    private final AdapterRegistry<CacheStoreAdapter> stores;
    private final JsonCodec codec;
    private final CacheCounters counters = new CacheCounters();
    private final Map<String, Flight> flights = new ConcurrentHashMap<>();
    private volatile Binding binding;

    RegionCache(CacheOptions options, String store, String regionName, AdapterRegistry<CacheStoreAdapter> stores,
            JsonCodec codec) {
        this.options = options;
        this.store = store;
        this.regionName = regionName;
        this.stores = stores;
        this.codec = codec;
    }

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public CacheOptions options() {
        return options;
    }

    /** Returns the name of the store that keeps the entries, with the node's default already applied. */
    public String store() {
        return store;
    }

    /** Returns the region name in the store, {@code <app>:<prefix>}. */
    public String regionName() {
        return regionName;
    }

    /** Returns the counters of this cache on this node. */
    public CacheCounters counters() {
        return counters;
    }

    /** Returns the store's estimate of the number of entries in this cache. */
    public long entryCount() {
        return region().size();
    }

    /**
     * Returns the stored JSON bytes of {@code key} without counting a hit or a miss, for the operator shell.
     *
     * @throws IllegalArgumentException if the key is invalid
     */
    public Optional<byte[]> peek(String key) {
        requireKey(key);
        return Optional.ofNullable(region().get(key));
    }

    @Override
    public void set(String key, Object value) {
        store(key, value, defaultTtl());
    }

    @Override
    public void set(String key, Object value, Duration ttl) {
        requireKey(key);
        requireTtl(() -> "ttl for key '" + key + "' of cache '" + name() + "'", ttl);
        store(key, value, ttl);
    }

    @Override
    public <T> Optional<T> get(String key, Class<T> type) {
        requireKey(key);
        requireType(type);

        byte[] json = region().get(key);
        if (json == null) {
            counters.miss(1);
            return Optional.empty();
        }
        counters.hit(1);
        return Optional.of(decode(key, json, type));
    }

    @Override
    public long del(String... keys) {
        if (keys == null) {
            throw new IllegalArgumentException("keys of cache '" + name() + "' are null; expected cache keys");
        }
        return deleteAll(requireKeys(Arrays.asList(keys.clone())));
    }

    @Override
    public void reset() {
        region().clear();
        LOG.info("Cache {} reset: every entry of region {} in store {} deleted", name(), regionName, store);
    }

    @Override
    public <T> T wrap(String key, Class<T> type, CacheLoader<T> loader) {
        return readThrough(key, type, loader, null, defaultTtl());
    }

    @Override
    public <T> T wrap(String key, Class<T> type, CacheLoader<T> loader, Duration ttl) {
        requireKey(key);
        requireTtl(() -> "ttl for key '" + key + "' of cache '" + name() + "'", ttl);
        return readThrough(key, type, loader, null, ttl);
    }

    @Override
    public <T> T wrapWithCondition(String key, Class<T> type, CacheLoader<T> loader, WrapCondition<T> condition) {
        requireKey(key);
        requireCondition(key, condition);
        return readThrough(key, type, loader, condition, defaultTtl());
    }

    @Override
    public <T> T wrapWithCondition(String key, Class<T> type, CacheLoader<T> loader, WrapCondition<T> condition,
            Duration ttl) {
        requireKey(key);
        requireCondition(key, condition);
        requireTtl(() -> "ttl for key '" + key + "' of cache '" + name() + "'", ttl);
        return readThrough(key, type, loader, condition, ttl);
    }

    @Override
    public void mset(Map<String, ?> entries) {
        storeAll(entries, defaultTtl());
    }

    @Override
    public void mset(Map<String, ?> entries, Duration ttl) {
        requireTtl(() -> "ttl for mset on cache '" + name() + "'", ttl);
        storeAll(entries, ttl);
    }

    @Override
    public <T> Map<String, T> mget(Collection<String> keys, Class<T> type) {
        List<String> requested = requireKeys(keys);
        requireType(type);

        Set<String> distinct = new LinkedHashSet<>(requested);
        Map<String, byte[]> found = region().getAll(distinct);
        Map<String, T> values = new LinkedHashMap<>();
        for (String key : distinct) {
            byte[] json = found.get(key);
            if (json != null) {
                values.put(key, decode(key, json, type));
            }
        }

        counters.hit(values.size());
        counters.miss(distinct.size() - values.size());
        return values;
    }

    @Override
    public long mdel(Collection<String> keys) {
        return deleteAll(requireKeys(keys));
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(new TreeSet<>(region().keys()));
    }

    @Override
    public Optional<Duration> ttl(String key) {
        requireKey(key);
        return Optional.ofNullable(region().remainingTtl(key));
    }

    @Override
    public <T> Optional<T> getValueInObject(String key, String field, Class<T> type) {
        requireKey(key);
        requireField(key, field);
        requireType(type);

        byte[] json = region().get(key);
        if (json == null) {
            counters.miss(1);
            return Optional.empty();
        }
        counters.hit(1);
        JsonNode value = readObject(key, json).get(field);
        if (value == null) {
            return Optional.empty();
        }
        return Optional.of(codec.decode(() -> "cache '" + name() + "' key '" + key + "' field '" + field + "'",
                writeTree(key, value), type));
    }

    @Override
    public void setValueInObject(String key, String field, Object value) {
        requireKey(key);
        requireField(key, field);
        byte[] json = codec.encode(() -> "value for field '" + field + "' of key '" + key + "' of cache '" + name()
                + "'", value);

        if (region().putField(key, field, json, defaultTtl()) == FieldChange.NOT_AN_OBJECT) {
            throw notAnObject(key);
        }
        counters.set(1);
    }

    @Override
    public boolean delValueInObject(String key, String field) {
        requireKey(key);
        requireField(key, field);

        FieldChange change = region().removeField(key, field);
        if (change == FieldChange.NOT_AN_OBJECT) {
            throw notAnObject(key);
        }
        return change == FieldChange.CHANGED;
    }

    @Override
    public String toString() {
        return "RegionCache[" + name() + " in " + store + " region " + regionName + "]";
    }

    /** Opens the region in the store now, so that a failing store fails the creation of the cache. */
    void open() {
        region();
    }

    /** Returns how many callers wait for the running load of {@code key}, or 0 when none runs. For tests. */
    int waitingCallers(String key) {
        Flight flight = flights.get(key);
        return flight == null ? 0 : flight.waiters.get();
    }

    /**
     * Checks a ttl: present, at least 1 ms and at most {@link #MAX_TTL}.
     *
     * @param description the ttl's role and owner, for the message
     */
    static Duration requireTtl(Supplier<String> description, Duration ttl) {
        if (ttl == null) {
            throw new IllegalArgumentException(description.get() + " is null; expected a duration of at least 1 ms, "
                    + "or the method without a ttl for the cache's default");
        }
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException(description.get() + " is " + ttl + "; expected a duration of at least "
                    + "1 ms "
                    + "and at most " + MAX_TTL.toDays() + " days");
        }
        return ttl;
    }

    private void store(String key, Object value, Duration ttl) {
        requireKey(key);
        byte[] json = encode(key, value);

        region().put(key, json, ttl);
        counters.set(1);
    }

    private void storeAll(Map<String, ?> entries, Duration ttl) {
        if (entries == null) {
            throw new IllegalArgumentException("entries for mset on cache '" + name() + "' are null; expected a map "
                    + "of cache keys to values");
        }
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        for (Map.Entry<String, ?> entry : entries.entrySet()) {
            String key = requireKey(entry.getKey());
            encoded.put(key, encode(key, entry.getValue()));
        }
        if (encoded.isEmpty()) {
            return;
        }

        region().putAll(encoded, ttl);
        counters.set(encoded.size());
    }

    private long deleteAll(List<String> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        long deleted = region().removeAll(keys);
        counters.delete(deleted);
        return deleted;
    }

    private <T> T readThrough(String key, Class<T> type, CacheLoader<T> loader, WrapCondition<T> condition,
            Duration ttl) {
        requireKey(key);
        requireType(type);
        if (loader == null) {
            throw new IllegalArgumentException("loader for key '" + key + "' of cache '" + name()
                    + "' is null; expected a CacheLoader");
        }
        if (condition != null && !condition.useCache()) {
            return loadWithoutCache(key, loader);
        }

        byte[] cached = region().get(key);
        if (cached != null) {
            counters.hit(1);
            return decode(key, cached, type);
        }
        counters.miss(1);

        Flight mine = new Flight();
        Flight running = flights.putIfAbsent(key, mine);
        if (running != null) {
            return awaitFlight(key, type, running);
        }
        try {
            return lead(key, type, loader, condition, ttl, mine);
        } catch (RuntimeException | Error e) {
            // Completes the flight when the store failed after the load. A flight that lead completed stays as is.
            mine.result.completeExceptionally(e);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
    }

    /** Runs the loader for a flight this thread registered, stores its value, and completes the flight. */
    private <T> T lead(String key, Class<T> type, CacheLoader<T> loader, WrapCondition<T> condition, Duration ttl,
            Flight flight) {
        byte[] stored = region().get(key);
        if (stored != null) {
            // A flight for this key ended between this call's miss and the registration of its own flight.
            flight.result.complete(stored);
            return decode(key, stored, type);
        }

        T value;
        byte[] json;
        boolean cacheable;
        counters.load();
        try {
            value = loader.load();
            json = value == null ? null : encode(key, value);
            cacheable = value != null && (condition == null || condition.isCacheable(value));
        } catch (Exception e) {
            counters.loadFailure();
            flight.result.completeExceptionally(e);
            LOG.debug("Loader for key {} of cache {} failed; {} waiting callers get the error", key, name(),
                    flight.waiters.get(), e);
            throw loaderFailed(key, e);
        } catch (Error e) {
            counters.loadFailure();
            flight.result.completeExceptionally(e);
            throw e;
        }

        if (cacheable) {
            region().put(key, json, ttl);
            counters.set(1);
        }
        flight.result.complete(json);
        return value;
    }

    private <T> T awaitFlight(String key, Class<T> type, Flight flight) {
        if (flight.loaderThread == Thread.currentThread()) {
            throw new IllegalStateException("the loader for key '" + key + "' of cache '" + name()
                    + "' called wrap for the same key, which would wait for itself");
        }

        byte[] json;
        flight.waiters.incrementAndGet();
        try {
            json = flight.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheLoaderException("interrupted while waiting for the loader of key '" + key
                    + "' of cache '" + name() + "'", e);
        } catch (ExecutionException e) {
            throw loaderFailed(key, e.getCause());
        } finally {
            flight.waiters.decrementAndGet();
        }

        return json == null ? null : decode(key, json, type);
    }

    private <T> T loadWithoutCache(String key, CacheLoader<T> loader) {
        counters.load();
        try {
            return loader.load();
        } catch (Exception e) {
            counters.loadFailure();
            throw loaderFailed(key, e);
        }
    }

    private CacheLoaderException loaderFailed(String key, Throwable cause) {
        return new CacheLoaderException("loader for key '" + key + "' of cache '" + name() + "' failed: " + cause,
                cause);
    }

    private CacheRegion region() {
        CacheStoreAdapter adapter = stores.find(store).orElseThrow(() -> new IllegalStateException("cache store '"
                + store + "' of cache '" + name() + "' is not registered; registered: " + stores.names()));
        Binding current = binding;
        if (current == null || current.adapter != adapter) {
            current = new Binding(adapter, adapter.openRegion(regionName, options.maxEntries()));
            binding = current;
        }
        return current.region;
    }

    private Duration defaultTtl() {
        return options.ttl().orElse(null);
    }

    private byte[] encode(String key, Object value) {
        return codec.encode(() -> "value for key '" + key + "' of cache '" + name() + "'", value);
    }

    private <T> T decode(String key, byte[] json, Class<T> type) {
        return codec.decode(() -> "cache '" + name() + "' key '" + key + "'", json, type);
    }

    private String requireKey(String key) {
        return Names.requireName(() -> "cache '" + name() + "' key", key);
    }

    private void requireField(String key, String field) {
        Names.requireName(() -> "field of key '" + key + "' of cache '" + name() + "'", field);
    }

    private JsonNode readObject(String key, byte[] json) {
        JsonNode node;
        try {
            node = codec.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("value under key '" + key + "' of cache '" + name() + "' is not valid "
                    + "JSON: " + e.getMessage(), e);
        }
        if (!node.isObject()) {
            throw notAnObject(key);
        }
        return node;
    }

    private byte[] writeTree(String key, JsonNode value) {
        try {
            return codec.mapper().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("a field of key '" + key + "' of cache '" + name() + "' could not be "
                    + "written again as JSON: " + e.getMessage(), e);
        }
    }

    private IllegalStateException notAnObject(String key) {
        return new IllegalStateException("value under key '" + key + "' of cache '" + name() + "' is not a JSON "
                + "object, so it has no fields; store an object (a map, record or POJO) under it first");
    }

    private List<String> requireKeys(Collection<String> keys) {
        if (keys == null) {
            throw new IllegalArgumentException("keys of cache '" + name() + "' are null; expected cache keys");
        }
        List<String> checked = new ArrayList<>(keys.size());
        for (String key : keys) {
            checked.add(requireKey(key));
        }
        return checked;
    }

    private void requireType(Class<?> type) {
        if (type == null) {
            throw new IllegalArgumentException("type for cache '" + name() + "' is null; expected the class to read "
                    + "values as");
        }
    }

    private void requireCondition(String key, WrapCondition<?> condition) {
        if (condition == null) {
            throw new IllegalArgumentException("condition for key '" + key + "' of cache '" + name()
                    + "' is null; expected a WrapCondition, or wrap without one");
        }
    }

    /** The region of the store adapter that was registered when the region was opened. */
    private record Binding(CacheStoreAdapter adapter, CacheRegion region) {
    }

    /** One running load of a key: the thread that runs the loader, its JSON result, and who waits for it. */
    private static final class Flight {

        private final Thread loaderThread = Thread.currentThread();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final AtomicInteger waiters = new AtomicInteger();
    }
}
