package io.cohort.hazelcast;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;

import io.cohort.api.spi.CacheRegion;
import io.cohort.api.spi.FieldChange;

/**
 * A cache region kept in one Hazelcast map.
 *
 * <p>Each stored value starts with a header: a format byte and the entry's expiry time in epoch milliseconds on the
 * writer's clock (0 for none). {@link #get} and {@link #getAll} hide an entry from that expiry time on, which makes
 * the ttl exact to the millisecond: Hazelcast 5.4 keeps the times of map entries in whole seconds and can expire an
 * entry up to a second early (a 2000 ms ttl was seen to end after 1898 ms), and its near caches ignore the ttl of map
 * entries and receive no invalidation when an entry expires. The grid expires the entry
 * {@value #GRID_TTL_MARGIN_MILLIS} ms after the header does, which frees its memory; {@link #keys()} reads the
 * headers on the members that own the entries, so it leaves out expired entries the grid still keeps.
 *
 * <p><b>Warning:</b> when the members' clocks differ, an entry expires on a reader by the reader's clock, which can
 * be earlier or later than on the writer by the clock difference. {@link #size()} may count entries up to about two
 * seconds after their ttl, until the grid removes them.
 */
final class HazelcastCacheRegion implements CacheRegion {

    /** Hazelcast's ttl value that means no expiry; also the header's value for an entry without expiry. */
    private static final long NO_EXPIRY = 0;
    private static final byte FORMAT = 1;
    private static final int HEADER_BYTES = 1 + Long.BYTES;

    /** How much longer than the header the grid keeps an entry, so the grid never removes it before the ttl. */
    static final long GRID_TTL_MARGIN_MILLIS = 1_000;

    private final String name;
    private final IMap<String, byte[]> map;

    HazelcastCacheRegion(String name, IMap<String, byte[]> map) {
        this.name = name;
        this.map = map;
    }

    @Override
    public byte[] get(String key) {
        return unwrap(map.get(key), System.currentTimeMillis());
    }

    @Override
    public Map<String, byte[]> getAll(Collection<String> keys) {
        Map<String, byte[]> stored = map.getAll(keys instanceof Set<String> set ? set : new HashSet<>(keys));
        long now = System.currentTimeMillis();
        Map<String, byte[]> present = new HashMap<>();
        for (Map.Entry<String, byte[]> entry : stored.entrySet()) {
            byte[] value = unwrap(entry.getValue(), now);
            if (value != null) {
                present.put(entry.getKey(), value);
            }
        }
        return present;
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        long ttlMillis = ttlMillis(ttl);
        map.set(key, wrap(value, ttlMillis), gridTtlMillis(ttlMillis), TimeUnit.MILLISECONDS);
    }

    /** Writes the entries in parallel and returns when all are stored; not atomic across keys. */
    @Override
    public void putAll(Map<String, byte[]> entries, Duration ttl) {
        long ttlMillis = ttlMillis(ttl);
        List<CompletionStage<Void>> writes = new ArrayList<>(entries.size());
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            writes.add(map.setAsync(entry.getKey(), wrap(entry.getValue(), ttlMillis), gridTtlMillis(ttlMillis),
                    TimeUnit.MILLISECONDS));
        }
        writes.forEach(HazelcastCacheRegion::await);
    }

    @Override
    public boolean remove(String key) {
        return map.remove(key) != null;
    }

    @Override
    public long removeAll(Collection<String> keys) {
        List<CompletionStage<byte[]>> removals = new ArrayList<>(keys.size());
        for (String key : keys) {
            removals.add(map.removeAsync(key));
        }
        long removed = 0;
        for (CompletionStage<byte[]> removal : removals) {
            if (await(removal) != null) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Set<String> keys() {
        return Set.copyOf(map.keySet(new Unexpired(System.currentTimeMillis())));
    }

    @Override
    public long size() {
        return map.size();
    }

    @Override
    public Duration remainingTtl(String key) {
        byte[] stored = map.get(key);
        long now = System.currentTimeMillis();
        if (unwrap(stored, now) == null || expiresAt(stored) == NO_EXPIRY) {
            return null;
        }
        return Duration.ofMillis(expiresAt(stored) - now);
    }

    /** Runs a {@link FieldUpdate} on the member that owns the key. */
    @Override
    public FieldChange putField(String key, String field, byte[] value, Duration ttlIfAbsent) {
        return FieldUpdate.change(map.executeOnKey(key, FieldUpdate.put(field, value, ttlMillis(ttlIfAbsent))));
    }

    /** Runs a {@link FieldUpdate} on the member that owns the key. */
    @Override
    public FieldChange removeField(String key, String field) {
        return FieldUpdate.change(map.executeOnKey(key, FieldUpdate.remove(field)));
    }

    @Override
    public String toString() {
        return "HazelcastCacheRegion[" + name + " in map " + map.getName() + "]";
    }

    /** Converts a ttl to Hazelcast milliseconds, rounding up so that a sub-millisecond ttl does not mean "never". */
    static long ttlMillis(Duration ttl) {
        if (ttl == null) {
            return NO_EXPIRY;
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl is " + ttl + "; expected a positive duration, or null for none");
        }
        long millis = ttl.toMillis();
        return ttl.minusMillis(millis).isZero() ? millis : millis + 1;
    }

    /** Returns the ttl the grid gets for an entry whose header expires after {@code ttlMillis}. */
    static long gridTtlMillis(long ttlMillis) {
        return ttlMillis == NO_EXPIRY ? NO_EXPIRY : ttlMillis + GRID_TTL_MARGIN_MILLIS;
    }

    static byte[] wrap(byte[] value, long ttlMillis) {
        long expiresAt = ttlMillis == NO_EXPIRY ? NO_EXPIRY : System.currentTimeMillis() + ttlMillis;
        return ByteBuffer.allocate(HEADER_BYTES + value.length).put(FORMAT).putLong(expiresAt).put(value).array();
    }

    /** Returns a stored value with the header that expires at {@code expiresAt} (epoch ms, 0 for never). */
    static byte[] wrapAt(byte[] value, long expiresAt) {
        return ByteBuffer.allocate(HEADER_BYTES + value.length).put(FORMAT).putLong(expiresAt).put(value).array();
    }

    /** Returns whether {@code stored} starts with the header this version writes. */
    static boolean isKnownFormat(byte[] stored) {
        return stored.length >= HEADER_BYTES && stored[0] == FORMAT;
    }

    /** Returns the expiry time in the header of a stored value of the known format (epoch ms, 0 for never). */
    static long expiresAt(byte[] stored) {
        return ByteBuffer.wrap(stored, 1, Long.BYTES).getLong();
    }

    /** Returns the value after the header of a stored value of the known format. */
    static byte[] payload(byte[] stored) {
        byte[] value = new byte[stored.length - HEADER_BYTES];
        System.arraycopy(stored, HEADER_BYTES, value, 0, value.length);
        return value;
    }

    /** Returns the value stored in {@code stored}, or {@code null} if there is none or it expired by {@code now}. */
    byte[] unwrap(byte[] stored, long now) {
        if (stored == null) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(stored);
        if (stored.length < HEADER_BYTES || buffer.get() != FORMAT) {
            throw new IllegalStateException("cache region " + name + " contains a value of an unknown format in map "
                    + map.getName() + "; expected values written by this version of Cohort");
        }
        long expiresAt = buffer.getLong();
        if (expiresAt != NO_EXPIRY && expiresAt <= now) {
            return null;
        }
        byte[] value = new byte[buffer.remaining()];
        buffer.get(value);
        return value;
    }

    /**
     * Returns whether the header of {@code stored} has not expired by {@code now}. A value of an unknown format
     * counts as present, so that reading it raises the error that names it.
     */
    static boolean isUnexpired(byte[] stored, long now) {
        if (stored == null) {
            return false;
        }
        if (stored.length < HEADER_BYTES || stored[0] != FORMAT) {
            return true;
        }
        long expiresAt = ByteBuffer.wrap(stored, 1, Long.BYTES).getLong();
        return expiresAt == NO_EXPIRY || expiresAt > now;
    }

    /** Selects the entries whose header has not expired; it runs on the members that own the entries. */
    static final class Unexpired implements Predicate<String, byte[]> {

        private static final long serialVersionUID = 1L;

        private final long now;

        Unexpired(long now) {
            this.now = now;
        }

        @Override
        public boolean apply(Map.Entry<String, byte[]> entry) {
            return isUnexpired(entry.getValue(), now);
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        CompletableFuture<T> future = stage.toCompletableFuture();
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
