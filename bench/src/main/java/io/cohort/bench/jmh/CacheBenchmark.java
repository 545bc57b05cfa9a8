package io.cohort.bench.jmh;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.bench.fixture.BenchCluster;
import io.cohort.bench.fixture.BenchNode;
import io.cohort.bench.fixture.Fixtures;
import io.cohort.bench.fixture.RedisClients;
import io.cohort.core.cache.CacheCounters;
import io.cohort.core.cache.CounterProbe;
import io.cohort.hazelcast.EmbeddedMembers;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.redisson.api.RMapCache;

/**
 * Cache reads and writes of a 100-byte value on member 0 of the 3-member grid cluster, one calling thread.
 *
 * <p>Each call uses the next of {@value #KEYS} keys in turn, so about a third of the keys are owned by member 0 and
 * the rest by the other two, for Cohort and the raw map alike (the keys are the same strings in maps of the same
 * partition count). Cohort's value is a 98-character string, which JSON writes as exactly 100 bytes. The raw map
 * and Redisson store 100 raw bytes, and Caffeine the same string as Cohort. No entry has a ttl.
 *
 * <p>Method names are {@code <operation>_<system>}; the report reads them that way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CacheBenchmark {

    /** Number of distinct keys the calls cycle through; a power of two. */
    static final int KEYS = 1024;

    /** Length of the value text; its JSON form, with two quotes, is 100 bytes. */
    static final int VALUE_CHARACTERS = 98;

    static final int VALUE_BYTES = 100;

    private final String[] keys = new String[KEYS];
    private final String valueText = "v".repeat(VALUE_CHARACTERS);
    private final byte[] valueBytes = new byte[VALUE_BYTES];
    private int cursor;

    /** The cluster whose maps are filled; each trial of the same cluster reuses them. */
    private static BenchCluster filled;

    private Cache memory;
    private Cache grid;
    private Cache near;
    private IMap<String, byte[]> rawMap;
    private IMap<String, byte[]> rawNearMap;
    private IMap<String, byte[]> rawNearLocalMap;
    private RMapCache<String, byte[]> redisMap;
    private com.github.benmanes.caffeine.cache.Cache<String, String> caffeine;
    private final CacheCounters probeCounters = new CacheCounters();

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
        }
        Arrays.fill(valueBytes, (byte) 'v');
        BenchCluster cluster = Fixtures.grid();
        CacheManager caches = cluster.node(0).caches();
        HazelcastInstance instance = cluster.instance(0);

        memory = Fixtures.inProcess().caches().createCache(CacheOptions.builder("values").build());
        grid = caches.createCache(CacheOptions.builder("grid").store(BenchNode.GRID_STORE).build());
        near = caches.createCache(CacheOptions.builder("near").store(BenchNode.NEAR_STORE).build());
        rawMap = instance.getMap("bench.raw.grid");
        int nearCacheSize = EmbeddedMembers.nearCacheMaxEntries(cluster.node(0).member());
        rawNearMap = instance.getMap(addNearCachedMap(instance, "bench.raw.near", nearCacheSize, false));
        rawNearLocalMap = instance.getMap(addNearCachedMap(instance, "bench.raw.nearlocal", nearCacheSize, true));
        redisMap = Fixtures.redis().client(0).getMapCache("bench:values", RedisClients.KEYS_AND_BYTES);
        caffeine = Caffeine.newBuilder().maximumSize(KEYS * 10L).build();

        for (String key : keys) {
            memory.set(key, valueText);
            caffeine.put(key, valueText);
        }
        if (filled != cluster) {
            for (String key : keys) {
                grid.set(key, valueText);
                near.set(key, valueText);
                rawMap.set(key, valueBytes);
                rawNearMap.set(key, valueBytes);
                rawNearLocalMap.set(key, valueBytes);
                redisMap.fastPut(key, valueBytes);
            }
            filled = cluster;
        }
    }

    /**
     * Adds a map configuration with a near cache like the one Cohort's cache store configures, and returns its name.
     * With {@code cacheLocalEntries}, as in Cohort's store, the near cache also keeps the entries that the reading
     * member owns itself, which Hazelcast's default leaves out.
     */
    static String addNearCachedMap(HazelcastInstance instance, String name, int maxEntries,
            boolean cacheLocalEntries) {
        instance.getConfig().addMapConfig(new MapConfig(name).setNearCacheConfig(new NearCacheConfig(name)
                .setCacheLocalEntries(cacheLocalEntries)
                .setInvalidateOnChange(true)
                .setInMemoryFormat(InMemoryFormat.BINARY)
                .setEvictionConfig(new EvictionConfig()
                        .setEvictionPolicy(EvictionPolicy.LRU)
                        .setMaxSizePolicy(MaxSizePolicy.ENTRY_COUNT)
                        .setSize(maxEntries))));
        return name;
    }

    private String nextKey() {
        int index = cursor;
        cursor = (index + 1) & (KEYS - 1);
        return keys[index];
    }

    @Benchmark
    public Optional<String> get_cohortMemory() {
        return memory.get(nextKey(), String.class);
    }

    @Benchmark
    public Optional<String> get_cohortGrid() {
        return grid.get(nextKey(), String.class);
    }

    @Benchmark
    public Optional<String> get_cohortNear() {
        return near.get(nextKey(), String.class);
    }

    /** Measures the counter increment that every cache read makes, alone. */
    @Benchmark
    public void counter_hitIncrement() {
        CounterProbe.hit(probeCounters);
    }

    /** Reads from the {@code memory} store and counts the hit twice, to show the increment in context. */
    @Benchmark
    public Optional<String> get_cohortMemoryExtraCount() {
        Optional<String> value = memory.get(nextKey(), String.class);
        CounterProbe.hit(probeCounters);
        return value;
    }

    @Benchmark
    public byte[] get_rawImap() {
        return rawMap.get(nextKey());
    }

    @Benchmark
    public byte[] get_rawImapNear() {
        return rawNearMap.get(nextKey());
    }

    @Benchmark
    public byte[] get_rawImapNearLocal() {
        return rawNearLocalMap.get(nextKey());
    }

    @Benchmark
    public byte[] get_redisson() {
        return redisMap.get(nextKey());
    }

    @Benchmark
    public String get_caffeine() {
        return caffeine.getIfPresent(nextKey());
    }

    @Benchmark
    public void set_cohortMemory() {
        memory.set(nextKey(), valueText);
    }

    @Benchmark
    public void set_cohortGrid() {
        grid.set(nextKey(), valueText);
    }

    @Benchmark
    public void set_cohortNear() {
        near.set(nextKey(), valueText);
    }

    @Benchmark
    public void set_rawImap() {
        rawMap.set(nextKey(), valueBytes);
    }

    @Benchmark
    public void set_rawImapNear() {
        rawNearMap.set(nextKey(), valueBytes);
    }

    @Benchmark
    public void set_rawImapNearLocal() {
        rawNearLocalMap.set(nextKey(), valueBytes);
    }

    @Benchmark
    public void set_redisson() {
        redisMap.fastPut(nextKey(), valueBytes);
    }

    @Benchmark
    public String wrapHit_cohortMemory() {
        return memory.wrap(nextKey(), String.class, () -> valueText);
    }

    @Benchmark
    public String wrapHit_cohortNear() {
        return near.wrap(nextKey(), String.class, () -> valueText);
    }
}
