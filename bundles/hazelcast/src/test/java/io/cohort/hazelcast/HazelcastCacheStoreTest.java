package io.cohort.hazelcast;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nearcache.NearCacheStats;

import io.cohort.api.spi.CacheRegion;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class HazelcastCacheStoreTest {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCacheStoreTest.class);

    private static TestCluster cluster;
    private static HazelcastCacheStore storeA;
    private static HazelcastCacheStore storeB;
    private static HazelcastCacheStore storeC;

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    @Rule
    public TestName testName = new TestName();

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-cache", 5801, 3, Map.of(MemberSettings.NEAR_CACHE, "true"));
        storeA = store(0);
        storeB = store(1);
        storeC = store(2);
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void put_onOneMember_readOnOthers() {
        String region = region();

        storeA.openRegion(region, 0).put("k", bytes("v1"), null);

        assertArrayEquals(bytes("v1"), storeB.openRegion(region, 0).get("k"));
        assertArrayEquals(bytes("v1"), storeC.openRegion(region, 0).get("k"));
    }

    @Test
    public void put_withTtl_expiresOnEveryMember() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 0);
        CacheRegion onB = storeB.openRegion(region, 0);
        CacheRegion onC = storeC.openRegion(region, 0);

        onA.put("short", bytes("gone soon"), Duration.ofMillis(1500));
        onA.put("long", bytes("stays"), null);

        assertArrayEquals(bytes("gone soon"), onB.get("short"));
        await().atMost(Duration.ofSeconds(10)).until(() -> onA.get("short") == null && onB.get("short") == null
                && onC.get("short") == null);
        assertArrayEquals(bytes("stays"), onC.get("long"));
    }

    @Test
    public void put_withTtl_readableForWholeTtl() {
        CacheRegion onA = storeA.openRegion(region(), 0);
        CacheRegion onB = storeB.openRegion(region(), 0);
        long ttlMillis = 2_000;
        // The wall clock, as the store and Hazelcast use it for expiry: the monotonic clock can run a few
        // milliseconds apart from it on a virtual machine.
        long begin = System.currentTimeMillis();

        onA.put("k", bytes("v"), Duration.ofMillis(ttlMillis));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> onB.get("k") == null);

        long readableMillis = System.currentTimeMillis() - begin;
        assertTrue("readable for " + readableMillis + " ms of a " + ttlMillis + " ms ttl",
                readableMillis >= ttlMillis);
    }

    @Test
    public void keys_afterTtl_leaveOutExpired() {
        CacheRegion onA = storeA.openRegion(region(), 0);
        CacheRegion onB = storeB.openRegion(region(), 0);
        onA.put("short", bytes("gone soon"), Duration.ofMillis(300));
        onA.put("long", bytes("stays"), null);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> onB.get("short") == null);

        assertEquals(Set.of("long"), onB.keys());
    }

    @Test
    public void clear_ofOneRegion_leavesTheOtherRegion() {
        CacheRegion first = storeA.openRegion(region() + "-first", 0);
        CacheRegion second = storeA.openRegion(region() + "-second", 0);
        first.put("k", bytes("1"), null);
        second.put("k", bytes("2"), null);

        storeB.openRegion(region() + "-first", 0).clear();

        assertNull(first.get("k"));
        assertArrayEquals(bytes("2"), storeC.openRegion(region() + "-second", 0).get("k"));
    }

    @Test
    public void batchOperations_acrossMembers_matchSingleOperations() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 0);
        CacheRegion onB = storeB.openRegion(region, 0);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            entries.put("k" + i, bytes("v" + i));
        }

        onA.putAll(entries, Duration.ofMinutes(5));

        assertEquals(50, onB.size());
        assertEquals(entries.keySet(), onB.keys());
        Map<String, byte[]> read = onB.getAll(List.of("k1", "k2", "missing"));
        assertEquals(Set.of("k1", "k2"), read.keySet());
        assertArrayEquals(bytes("v2"), read.get("k2"));
        assertEquals(2, onB.removeAll(List.of("k1", "k2", "missing")));
        assertTrue(onB.remove("k3"));
        assertFalse(onB.remove("k3"));
        assertEquals(47, onA.size());
    }

    @Test
    public void put_afterNearCachedRead_reachesReader() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 0);
        CacheRegion onB = storeB.openRegion(region, 0);
        onA.put("k", bytes("old"), null);
        assertArrayEquals(bytes("old"), onB.get("k"));
        assertArrayEquals(bytes("old"), onB.get("k"));

        onA.put("k", bytes("new"), null);

        await().atMost(Duration.ofSeconds(5)).until(() -> new String(onB.get("k"), UTF_8).equals("new"));
    }

    @Test
    public void get_ownedKey_servedFromNearCache() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 0);
        CacheRegion onB = storeB.openRegion(region, 0);
        String key = keyOwnedBy(cluster.member(1), "own");
        onA.put(key, bytes("v"), null);

        // The invalidation of A's put reaches B asynchronously and may drop the entry B's first read cached, so B
        // reads until a read is served from its near cache.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            onB.get(key);
            return nearCacheStats(region).getHits() >= 1;
        });

        assertEquals("near-cached entries on the owner", 1, nearCacheStats(region).getOwnedEntryCount());
    }

    private NearCacheStats nearCacheStats(String region) {
        return cluster.member(1).instance().getMap(GridNames.cacheMap(region)).getLocalMapStats()
                .getNearCacheStats();
    }

    @Test
    public void put_onOtherMember_invalidatesOwnedEntry() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 0);
        CacheRegion onB = storeB.openRegion(region, 0);
        String key = keyOwnedBy(cluster.member(1), "own");
        StaleReads stale = new StaleReads();

        for (int round = 0; round < 100; round++) {
            byte[] old = bytes("v" + round);
            byte[] next = bytes("v" + (round + 1));
            onA.put(key, old, null);
            await().atMost(Duration.ofSeconds(5)).until(() -> Arrays.equals(old, onB.get(key)));
            onB.get(key);

            onA.put(key, next, null);

            stale.record(() -> Arrays.equals(next, onB.get(key)));
        }

        LOG.info("Near cache of the owner after 100 writes on another member: {}", stale);
    }

    @Test
    public void remove_onOtherMember_invalidatesOwnedEntry() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 0);
        CacheRegion onB = storeB.openRegion(region, 0);
        String key = keyOwnedBy(cluster.member(1), "own");
        StaleReads stale = new StaleReads();

        for (int round = 0; round < 100; round++) {
            onA.put(key, bytes("v" + round), null);
            await().atMost(Duration.ofSeconds(5)).until(() -> onB.get(key) != null);
            onB.get(key);

            assertTrue(onA.remove(key));

            stale.record(() -> onB.get(key) == null);
        }

        LOG.info("Near cache of the owner after 100 removals on another member: {}", stale);
    }

    @Test
    public void get_returnsFreshArrayEachTime() {
        CacheRegion onA = storeA.openRegion(region(), 0);
        onA.put("k", bytes("value"), null);

        onA.get("k")[0] = 'X';

        assertArrayEquals(bytes("value"), onA.get("k"));
    }

    @Test
    public void openRegion_twice_returnsTheOpenRegion() {
        CacheRegion first = storeA.openRegion(region(), 10);

        assertSame(first, storeA.openRegion(region(), 20));
    }

    @Test
    public void maxEntries_whenExceeded_evictsEntries() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 100);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 2_000; i++) {
            entries.put("k" + i, bytes("v"));
        }

        onA.putAll(entries, null);

        // Hazelcast keeps about max(1, 100 * 3 members / 271 partitions) entries per partition.
        long size = storeC.openRegion(region, 100).size();
        assertTrue("size " + size + " should be below the 2000 entries written", size < 1_000);
        assertTrue("size " + size + " should keep entries", size > 0);
    }

    @Test
    public void openRegion_otherLimitElsewhere_keepsFirstConfig() {
        String region = region();
        storeA.openRegion(region, 100).put("k", bytes("v"), null);

        CacheRegion onB = storeB.openRegion(region, 200);

        assertArrayEquals(bytes("v"), onB.get("k"));
        assertEquals(100, cluster.member(1).instance().getConfig().findMapConfig(GridNames.cacheMap(region))
                .getEvictionConfig().getSize());
    }

    @Test
    public void get_valueWithoutHeader_namesRegion() {
        String region = region();
        CacheRegion onA = storeA.openRegion(region, 0);
        cluster.member(0).instance().<String, byte[]>getMap(GridNames.cacheMap(region)).set("raw", bytes("x"));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> onA.get("raw"));

        assertTrue(error.getMessage(), error.getMessage().contains(region));
    }

    @Test
    public void ttlMillis_subMillisecond_roundsUp() {
        assertEquals(1, HazelcastCacheRegion.ttlMillis(Duration.ofNanos(1)));
        assertEquals(0, HazelcastCacheRegion.ttlMillis(null));
        assertEquals(1500, HazelcastCacheRegion.ttlMillis(Duration.ofMillis(1500)));
    }

    @Test
    public void gridTtlMillis_ttl_addsMargin() {
        assertEquals(1500 + HazelcastCacheRegion.GRID_TTL_MARGIN_MILLIS, HazelcastCacheRegion.gridTtlMillis(1500));
        assertEquals(0, HazelcastCacheRegion.gridTtlMillis(0));
    }

    private String region() {
        return "test:" + testName.getMethodName();
    }

    private static HazelcastCacheStore store(int member) {
        HazelcastMember hazelcast = cluster.member(member);
        return new HazelcastCacheStore(hazelcast.instance(), hazelcast.settings());
    }

    /** Returns a key starting with {@code prefix} whose partition {@code member} owns. */
    private static String keyOwnedBy(HazelcastMember member, String prefix) {
        HazelcastInstance instance = member.instance();
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (instance.getPartitionService().getPartition(key).getOwner().localMember()) {
                return key;
            }
        }
    }

    /** Counts the reads that returned the old value after the write had returned, and how long that lasted. */
    private static final class StaleReads {

        private int staleRounds;
        private long staleReads;
        private long maxStaleNanos;

        void record(Callable<Boolean> fresh) {
            long begin = System.nanoTime();
            long staleBefore = staleReads;
            await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofNanos(1))
                    .until(() -> {
                        boolean isFresh = fresh.call();
                        if (!isFresh) {
                            staleReads++;
                        }
                        return isFresh;
                    });
            long staleNanos = System.nanoTime() - begin;
            if (staleReads > staleBefore) {
                staleRounds++;
                maxStaleNanos = Math.max(maxStaleNanos, staleNanos);
            }
        }

        @Override
        public String toString() {
            return staleRounds + " of 100 rounds read the old value at least once (" + staleReads
                    + " stale reads in all); the longest stale window was " + maxStaleNanos / 1_000 + " µs";
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
