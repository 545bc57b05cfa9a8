package io.cohort.hazelcast;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

/**
 * Adds to a counter on the member that owns its key, under the key's partition lock, so concurrent additions from
 * any member are all counted exactly once. The value is {@code long[] {count, expiresAt}}, with {@code expiresAt} in
 * epoch milliseconds on the caller's clock, 0 for never.
 *
 * <p>An absent or expired counter starts again from 0 with a new expiry, and the grid drops it
 * {@value HazelcastCacheRegion#GRID_TTL_MARGIN_MILLIS} ms after that expiry; a present one keeps both. The caller's
 * clock is captured once, so the backup replica, which runs the same processor, reaches the same value.
 */
final class CounterUpdate implements EntryProcessor<String, long[], Long> {

    private static final long serialVersionUID = 1L;

    private final long delta;
    private final long ttlMillis;
    private final long now;

    CounterUpdate(long delta, long ttlMillis) {
        this.delta = delta;
        this.ttlMillis = ttlMillis;
        this.now = System.currentTimeMillis();
    }

    /** Returns the count of a stored counter value, or 0 when it is absent or expired by {@code now}. */
    static long count(long[] stored, long now) {
        return isLive(stored, now) ? stored[0] : 0;
    }

    @Override
    public Long process(Map.Entry<String, long[]> entry) {
        long[] stored = entry.getValue();
        ExtendedMapEntry<String, long[]> extended = (ExtendedMapEntry<String, long[]>) entry;
        if (!isLive(stored, now)) {
            long expiresAt = ttlMillis == 0 ? 0 : now + ttlMillis;
            extended.setValue(new long[] {delta, expiresAt}, HazelcastCacheRegion.gridTtlMillis(ttlMillis),
                    TimeUnit.MILLISECONDS);
            return delta;
        }
        long count = stored[0] + delta;
        extended.setValueWithoutChangingExpiryTime(new long[] {count, stored[1]});
        return count;
    }

    private static boolean isLive(long[] stored, long now) {
        return stored != null && (stored[1] == 0 || stored[1] > now);
    }
}
