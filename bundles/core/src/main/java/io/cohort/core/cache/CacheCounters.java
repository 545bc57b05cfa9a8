package io.cohort.core.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The operation counters of one cache on this node, since the node started. They count calls on this node only, so
 * a cache shared by several nodes has one set per node.
 */
public final class CacheCounters {

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder sets = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder loads = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();

    /** Returns the keys read and found, by get, mget and wrap. */
    public long hits() {
        return hits.sum();
    }

    /** Returns the keys read and not found, by get, mget and wrap. */
    public long misses() {
        return misses.sum();
    }

    /** Returns the entries written, by set, mset and wrap. */
    public long sets() {
        return sets.sum();
    }

    /** Returns the entries that del and mdel found and deleted. */
    public long deletes() {
        return deletes.sum();
    }

    /** Returns how many times a wrap loader ran. */
    public long loads() {
        return loads.sum();
    }

    /** Returns how many wrap loads failed, because the loader threw or its value could not be written as JSON. */
    public long loadFailures() {
        return loadFailures.sum();
    }

    /** Returns every counter by name, in a fixed order, for the operator shell. */
    public Map<String, Long> snapshot() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("hits", hits());
        counts.put("misses", misses());
        counts.put("sets", sets());
        counts.put("deletes", deletes());
        counts.put("loads", loads());
        counts.put("loadFailures", loadFailures());
        return counts;
    }

    void hit(long count) {
        hits.add(count);
    }

    void miss(long count) {
        misses.add(count);
    }

    void set(long count) {
        sets.add(count);
    }

    void delete(long count) {
        deletes.add(count);
    }

    void load() {
        loads.increment();
    }

    void loadFailure() {
        loadFailures.increment();
    }
}
