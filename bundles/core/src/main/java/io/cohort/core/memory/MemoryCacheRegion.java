package io.cohort.core.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy.VarExpiration;

import io.cohort.api.spi.CacheRegion;
import io.cohort.api.spi.FieldChange;

/**
 * One region of {@link MemoryCacheStore}: a Caffeine cache whose entries each carry their own ttl.
 *
 * <p>Caffeine hides an expired entry from every read, including {@link #keys()}, before its maintenance removes it.
 * Maintenance runs on the calling threads, so eviction beyond {@code maxEntries} has happened when a write returns.
 * Value arrays are kept as given and returned as kept, so callers must not modify them. Field updates run inside
 * Caffeine's per-key {@code compute}, so they are atomic per key, and keep the entry's remaining ttl.
 */
final class MemoryCacheRegion implements CacheRegion {

    /** Caffeine caps durations far below this, so it means "never expires". */
    private static final long NO_EXPIRY = Long.MAX_VALUE;

    private final String name;
    private final Cache<String, Entry> entries;
    private final VarExpiration<String, Entry> expiration;

    MemoryCacheRegion(String name, long maxEntries) {
        this.name = name;
        Caffeine<String, Entry> builder = Caffeine.newBuilder()
                .executor(Runnable::run)
                .expireAfter(new PerEntryTtl());
        if (maxEntries > 0) {
            builder.maximumSize(maxEntries);
        }
        this.entries = builder.build();
        this.expiration = entries.policy().expireVariably().orElseThrow();
    }

    @Override
    public byte[] get(String key) {
        Entry entry = entries.getIfPresent(key);
        return entry == null ? null : entry.json();
    }

    @Override
    public Map<String, byte[]> getAll(Collection<String> keys) {
        Map<String, byte[]> present = new LinkedHashMap<>();
        entries.getAllPresent(keys).forEach((key, entry) -> present.put(key, entry.json()));
        return present;
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        entries.put(key, new Entry(value, ttlNanos(ttl), false));
    }

    @Override
    public void putAll(Map<String, byte[]> values, Duration ttl) {
        long ttlNanos = ttlNanos(ttl);
        Map<String, Entry> batch = new LinkedHashMap<>();
        values.forEach((key, value) -> batch.put(key, new Entry(value, ttlNanos, false)));
        entries.putAll(batch);
    }

    /** Removes {@code key}. An entry that expired but is not yet cleaned up counts as absent. */
    @Override
    public boolean remove(String key) {
        return entries.asMap().remove(key) != null;
    }

    @Override
    public long removeAll(Collection<String> keys) {
        long removed = 0;
        for (String key : new ArrayList<>(keys)) {
            if (remove(key)) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public void clear() {
        entries.invalidateAll();
    }

    @Override
    public Set<String> keys() {
        return new HashSet<>(entries.asMap().keySet());
    }

    /**
     * Returns an estimate of the number of entries. It may still count entries that expired up to about a second
     * ago, because Caffeine's timer wheel (3.1.8) removes expired entries in steps of about a second.
     */
    @Override
    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    @Override
    public Duration remainingTtl(String key) {
        Entry entry = entries.getIfPresent(key);
        if (entry == null || entry.ttlNanos() == NO_EXPIRY) {
            return null;
        }
        return expiration.getExpiresAfter(key).filter(left -> !left.isNegative() && !left.isZero()).orElse(null);
    }

    @Override
    public FieldChange putField(String key, String field, byte[] value, Duration ttlIfAbsent) {
        long ttlNanos = ttlNanos(ttlIfAbsent);
        AtomicReference<FieldChange> change = new AtomicReference<>(FieldChange.CHANGED);
        entries.asMap().compute(key, (k, current) -> {
            if (current == null) {
                return new Entry(JsonFields.singleField(field, value), ttlNanos, false);
            }
            ObjectNode object = JsonFields.readObject(current.json());
            if (object == null) {
                change.set(FieldChange.NOT_AN_OBJECT);
                return current;
            }
            return new Entry(JsonFields.with(object, field, value), current.ttlNanos(), true);
        });
        return change.get();
    }

    @Override
    public FieldChange removeField(String key, String field) {
        AtomicReference<FieldChange> change = new AtomicReference<>(FieldChange.UNCHANGED);
        entries.asMap().computeIfPresent(key, (k, current) -> {
            ObjectNode object = JsonFields.readObject(current.json());
            if (object == null) {
                change.set(FieldChange.NOT_AN_OBJECT);
                return current;
            }
            if (object.remove(field) == null) {
                return current;
            }
            change.set(FieldChange.CHANGED);
            return new Entry(JsonFields.write(object), current.ttlNanos(), true);
        });
        return change.get();
    }

    @Override
    public String toString() {
        return "MemoryCacheRegion[" + name + "]";
    }

    private static long ttlNanos(Duration ttl) {
        if (ttl == null) {
            return NO_EXPIRY;
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl " + ttl + " is not positive; expected a positive duration or null");
        }
        try {
            return ttl.toNanos();
        } catch (ArithmeticException e) {
            return NO_EXPIRY;
        }
    }

    /**
     * A stored value and its ttl in nanoseconds.
     *
     * @param keepExpiry whether this value replaces an entry without changing its expiry (a field update)
     */
    private record Entry(byte[] json, long ttlNanos, boolean keepExpiry) {
    }

    /**
     * Expires each entry after its own ttl, counted from its last write other than a field update. Reads do not
     * extend it.
     */
    private static final class PerEntryTtl implements Expiry<String, Entry> {

        @Override
        public long expireAfterCreate(String key, Entry entry, long currentTime) {
            return entry.ttlNanos();
        }

        @Override
        public long expireAfterUpdate(String key, Entry entry, long currentTime, long currentDuration) {
            return entry.keepExpiry() ? currentDuration : entry.ttlNanos();
        }

        @Override
        public long expireAfterRead(String key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
