package io.cohort.core.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.cache.Counter;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.core.node.NodeSettings;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * What every cache store must do for the cache extras, counters and application scoping, written once and run by one
 * subclass per store kind. Node {@code i} is a cache service on {@link #store(int)}; the stores of a cluster kind
 * are separate members of one cluster, and an in-process kind returns the same store for every node.
 */
public abstract class CacheStoreContract {

    /** Nodes the tests use; a subclass offers at least this many stores. */
    protected static final int NODES = 3;

    private static final AtomicInteger UNIQUE = new AtomicInteger();

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    @Rule
    public TestName testName = new TestName();

    private final ExecutorService threads = Executors.newCachedThreadPool();

    /** Returns the store of node {@code node}, 0 to {@link #NODES} - 1. */
    protected abstract CacheStoreAdapter store(int node);

    /** Returns the name the stores are registered under. */
    protected abstract String storeName();

    @After
    public void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    public void ttl_entryWithExpiry_returnsTimeLeft() {
        Cache cache = cache(0, "shop");

        cache.set("k", "v", Duration.ofMinutes(2));

        Duration left = cache.ttl("k").orElseThrow();
        assertTrue("ttl " + left, left.compareTo(Duration.ofMinutes(2)) <= 0
                && left.compareTo(Duration.ofMinutes(1)) > 0);
    }

    @Test
    public void ttl_absentOrWithoutExpiry_empty() {
        Cache cache = cache(0, "shop");

        cache.set("forever", "v");

        assertEquals(Optional.empty(), cache.ttl("forever"));
        assertEquals(Optional.empty(), cache.ttl("absent"));
    }

    @Test
    public void ttl_invalidKey_throws() {
        Cache cache = cache(0, "shop");

        assertThrows(IllegalArgumentException.class, () -> cache.ttl("bad key"));
    }

    @Test
    public void setValueInObject_absentKey_createsObjectWithDefaultTtl() {
        Cache cache = service(0, "shop").createCache(CacheOptions.builder(unique("c")).prefix(unique("p"))
                .store(storeName()).ttl(Duration.ofMinutes(5)).build());

        cache.setValueInObject("user", "name", "Ada");

        assertEquals(Map.of("name", "Ada"), cache.get("user", Map.class).orElseThrow());
        assertTrue(cache.ttl("user").orElseThrow().compareTo(Duration.ofMinutes(5)) <= 0);
    }

    @Test
    public void setValueInObject_presentObject_keepsOtherFieldsAndTtl() {
        Cache cache = cache(0, "shop");
        Cache onOther = sameCache(1, "shop", cache);
        cache.set("user", Map.of("name", "Ada", "age", 36), Duration.ofSeconds(3));
        Duration before = cache.ttl("user").orElseThrow();

        onOther.setValueInObject("user", "age", 37);

        Map<String, Object> updated = Map.of("name", "Ada", "age", 37);
        assertEquals(updated, onOther.get("user", Map.class).orElseThrow());
        // With near caches, another node learns of the change when the invalidation arrives, asynchronously.
        await().atMost(Duration.ofSeconds(2)).until(() -> cache.get("user", Map.class).map(updated::equals)
                .orElse(false));
        Duration after = onOther.ttl("user").orElseThrow();
        assertTrue("ttl after the update " + after + " is more than before " + before, after.compareTo(before) <= 0);
        await().atMost(Duration.ofSeconds(15)).until(() -> cache.get("user", Map.class).isEmpty());
    }

    @Test
    public void getValueInObject_field_readAsType() {
        Cache cache = cache(0, "shop");
        cache.set("user", Map.of("name", "Ada", "address", Map.of("city", "London")));

        assertEquals(Optional.of("Ada"), cache.getValueInObject("user", "name", String.class));
        assertEquals(Optional.of(Map.of("city", "London")), cache.getValueInObject("user", "address", Map.class));
        assertEquals(Optional.empty(), cache.getValueInObject("user", "missing", String.class));
        assertEquals(Optional.empty(), cache.getValueInObject("absent", "name", String.class));
    }

    @Test
    public void fieldMethods_valueNotAnObject_throwAndChangeNothing() {
        Cache cache = cache(0, "shop");
        cache.set("list", List.of(1, 2));

        assertThrows(IllegalStateException.class, () -> cache.getValueInObject("list", "a", String.class));
        assertThrows(IllegalStateException.class, () -> cache.setValueInObject("list", "a", "x"));
        assertThrows(IllegalStateException.class, () -> cache.delValueInObject("list", "a"));
        assertEquals(List.of(1, 2), cache.get("list", List.class).orElseThrow());
    }

    @Test
    public void fieldMethods_invalidInput_throwAndChangeNothing() {
        Cache cache = cache(0, "shop");
        cache.set("user", Map.of("name", "Ada"));

        assertThrows(IllegalArgumentException.class, () -> cache.setValueInObject("user", "bad field", "x"));
        assertThrows(IllegalArgumentException.class, () -> cache.setValueInObject("user", "name", null));
        assertThrows(IllegalArgumentException.class, () -> cache.delValueInObject("user", null));
        assertThrows(IllegalArgumentException.class, () -> cache.getValueInObject("bad key", "name", String.class));
        assertEquals(Map.of("name", "Ada"), cache.get("user", Map.class).orElseThrow());
    }

    @Test
    public void delValueInObject_field_removesItKeepingOthersAndTtl() {
        Cache cache = cache(0, "shop");
        cache.set("user", Map.of("name", "Ada", "age", 36), Duration.ofMinutes(2));

        assertTrue(cache.delValueInObject("user", "age"));
        assertFalse(cache.delValueInObject("user", "age"));
        assertFalse(cache.delValueInObject("absent", "age"));

        assertEquals(Map.of("name", "Ada"), cache.get("user", Map.class).orElseThrow());
        assertTrue(cache.ttl("user").isPresent());
        assertTrue(cache.delValueInObject("user", "name"));
        assertEquals(Map.of(), cache.get("user", Map.class).orElseThrow());
    }

    @Test
    public void setValueInObject_twoNodesUpdatingDifferentFields_loseNoUpdate() throws Exception {
        Cache first = cache(0, "shop");
        Cache second = sameCache(1, "shop", first);
        int fieldsPerNode = 300;
        CountDownLatch start = new CountDownLatch(1);

        List<Future<?>> writers = new ArrayList<>();
        for (Cache node : List.of(first, second)) {
            String side = node == first ? "a" : "b";
            writers.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < fieldsPerNode; i++) {
                    node.setValueInObject("shared", side + i, i);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> writer : writers) {
            writer.get();
        }

        Map<?, ?> stored = first.get("shared", Map.class).orElseThrow();
        assertEquals(2 * fieldsPerNode, stored.size());
        assertEquals(fieldsPerNode - 1, stored.get("b" + (fieldsPerNode - 1)));
    }

    @Test
    public void flushAll_resetsEveryCacheOfTheApplicationOnly() {
        String shared = unique("c");
        String prefix = unique("p");
        Cache mine = service(0, "shop").createCache(options(shared, prefix));
        Cache onlyOnOtherNode = service(1, "shop").createCache(options(unique("c"), unique("p")));
        Cache otherApp = service(1, "books").createCache(options(shared, prefix));
        Counter counter = service(0, "shop").createCounter(unique("n"));
        mine.set("k", 1);
        onlyOnOtherNode.set("k", 2);
        otherApp.set("k", 3);
        counter.incrBy(5);

        service(2, "shop").flushAll();

        assertEquals(Optional.empty(), mine.get("k", Integer.class));
        assertEquals(Optional.empty(), onlyOnOtherNode.get("k", Integer.class));
        assertEquals(Optional.of(3), otherApp.get("k", Integer.class));
        assertEquals(5, counter.get());
        mine.set("k", 4);
        assertEquals(Optional.of(4), mine.get("k", Integer.class));
    }

    @Test
    public void counter_operations_countAndReset() {
        Counter counter = service(0, "shop").createCounter(unique("n"));

        assertEquals(0, counter.get());
        assertEquals(1, counter.incr());
        assertEquals(11, counter.incrBy(10));
        assertEquals(8, counter.incrBy(-3));
        assertEquals(8, service(1, "shop").createCounter(counter.name()).get());
        counter.reset();
        assertEquals(0, counter.get());
        assertEquals(1, counter.incr());
    }

    @Test
    public void counter_withTtl_expiresAndStartsAgain() {
        String name = unique("n");
        Counter counter = service(0, "shop").createCounter(name, Duration.ofMillis(1500));

        counter.incr();
        counter.incr();
        assertEquals(2, service(1, "shop").createCounter(name, Duration.ofMillis(1500)).get());

        await().atMost(Duration.ofSeconds(15)).until(() -> counter.get() == 0);
        assertEquals(1, counter.incr());
    }

    @Test
    public void counter_invalidOrConflictingInput_throws() {
        CacheManager service = service(0, "shop");
        String name = unique("n");
        service.createCounter(name);

        assertThrows(IllegalArgumentException.class, () -> service.createCounter("bad name"));
        assertThrows(IllegalArgumentException.class, () -> service.createCounter(unique("n"), null));
        assertThrows(IllegalArgumentException.class, () -> service.createCounter(name, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> service.createCounter(unique("n"), Duration.ZERO));
    }

    @Test
    public void counter_threeNodesTenThousandIncrementsEach_endsAtThirtyThousand() throws Exception {
        String name = unique("n");
        int increments = 10_000;
        CountDownLatch start = new CountDownLatch(1);

        List<Future<?>> nodes = new ArrayList<>();
        for (int node = 0; node < NODES; node++) {
            Counter counter = service(node, "shop").createCounter(name);
            nodes.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < increments; i++) {
                    counter.incr();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> node : nodes) {
            node.get();
        }

        assertEquals(NODES * increments, service(0, "shop").createCounter(name).get());
    }

    @Test
    public void counter_sameNameInTwoApplications_counterApart() {
        String name = unique("n");
        Counter shop = service(0, "shop").createCounter(name);
        Counter books = service(1, "books").createCounter(name);

        shop.incrBy(3);
        books.incr();

        assertEquals(3, shop.get());
        assertEquals(1, books.get());
    }

    @Test
    public void caches_sameNameAndPrefixInTwoApplications_keepEntriesApart() {
        String name = unique("c");
        String prefix = unique("p");
        Cache shop = service(0, "shop").createCache(options(name, prefix));
        Cache books = service(1, "books").createCache(options(name, prefix));

        shop.set("k", "shop");
        books.set("k", "books");
        shop.setValueInObject("o", "f", 1);

        assertEquals(Optional.of("shop"), shop.get("k", String.class));
        assertEquals(Optional.of("books"), books.get("k", String.class));
        assertEquals(Optional.empty(), books.get("o", Map.class));
        assertEquals(Set.of("k"), books.keys());
    }

    /** Returns a cache manager of application {@code app} on node {@code node}, with the store registered. */
    protected CacheManager service(int node, String app) {
        CacheService service = new CacheService(new NodeSettings(app, "node-" + node, Path.of("target"),
                storeName(), Adapters.MEMORY, Adapters.MEMORY, Adapters.MEMORY, Duration.ofSeconds(10)));
        service.addStore(store(node), Map.of(Adapters.NAME_PROPERTY, storeName()));
        return new BundleCacheManager(service, "plugin [" + node + "]");
    }

    private Cache cache(int node, String app) {
        return service(node, app).createCache(options(unique("c"), unique("p")));
    }

    private Cache sameCache(int node, String app, Cache cache) {
        return service(node, app).createCache(cache.options());
    }

    private CacheOptions options(String name, String prefix) {
        return CacheOptions.builder(name).prefix(prefix).store(storeName()).build();
    }

    private String unique(String kind) {
        return kind + "-" + testName.getMethodName().replace('_', '-') + "-" + UNIQUE.incrementAndGet();
    }
}
