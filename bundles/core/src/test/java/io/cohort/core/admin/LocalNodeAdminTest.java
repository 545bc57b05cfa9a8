package io.cohort.core.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.QueueView;
import io.cohort.api.admin.SyncChannelView;
import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.pubsub.Delivery;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.spi.TaskRecord;
import io.cohort.api.sync.SyncOptions;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.memory.MemoryEventQueueAdapter;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/** The admin views and write operations of one node, on real managers with in-process adapters. */
public class LocalNodeAdminTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final LocalBus bus = new LocalBus();
    private final TestNode node = new TestNode("n1", bus);
    private final LocalNodeAdmin admin = node.admin;

    /** A plugin's own type, read back from what the operator typed. */
    public record Order(String id, int quantity) {
    }

    @After
    public void stopNode() {
        node.close();
    }

    @Test
    public void setCacheValue_object_readByPluginAsItsType() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").build());

        admin.setCacheValue("orders", "o-1", "{\"id\":\"o-1\",\"quantity\":3}", null);

        assertEquals(Optional.of(new Order("o-1", 3)), cache.get("o-1", Order.class));
    }

    @Test
    public void setCacheValue_jsonString_readAsString() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("names").build());

        admin.setCacheValue("names", "n", "\"Ada\"", null);

        assertEquals(Optional.of("Ada"), cache.get("n", String.class));
    }

    @Test
    public void setCacheValue_ttl_entryExpires() {
        node.cacheService.createCache(CacheOptions.builder("short").build());

        admin.setCacheValue("short", "k", "1", Duration.ofMillis(100));

        await().atMost(WAIT).until(() -> admin.cacheValue("short", "k").isEmpty());
    }

    @Test
    public void setCacheValue_malformedJson_storesNothing() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").build());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> admin.setCacheValue("orders", "o-1", "{\"id\":", null));

        assertTrue(e.getMessage(), e.getMessage().contains("key 'o-1' of cache 'orders'"));
        assertEquals(Optional.empty(), cache.get("o-1", Order.class));
    }

    @Test
    public void setCacheValue_unknownCache_rejectedNamingIt() {
        node.cacheService.createCache(CacheOptions.builder("orders").build());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> admin.setCacheValue("ordres", "k", "1", null));

        assertEquals("cache 'ordres' not found on node n1; caches on this node: [orders]", e.getMessage());
    }

    @Test
    public void cacheValue_present_returnsJsonWithoutCountingHit() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").build());
        cache.set("o-1", new Order("o-1", 3));

        Optional<String> value = admin.cacheValue("orders", "o-1");

        assertEquals(Optional.of("{\"id\":\"o-1\",\"quantity\":3}"), value);
        assertEquals(0, admin.caches().get(0).hits());
    }

    @Test
    public void cacheValue_absentKey_returnsEmpty() {
        node.cacheService.createCache(CacheOptions.builder("orders").build());

        assertEquals(Optional.empty(), admin.cacheValue("orders", "missing"));
    }

    @Test
    public void deleteCacheKeys_someAbsent_returnsDeletedOnly() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").build());
        cache.set("a", 1);
        cache.set("b", 2);

        List<String> deleted = admin.deleteCacheKeys("orders", List.of("a", "missing", "b", "a"));

        assertEquals(List.of("a", "b"), deleted);
        assertEquals(Optional.empty(), cache.get("a", Integer.class));
    }

    @Test
    public void deleteCacheKeys_invalidKey_deletesNothing() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").build());
        cache.set("a", 1);

        assertThrows(IllegalArgumentException.class, () -> admin.deleteCacheKeys("orders", List.of("a", "b c")));

        assertEquals(Optional.of(1), cache.get("a", Integer.class));
    }

    @Test
    public void resetCache_entries_deletesAll() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").build());
        cache.set("a", 1);

        admin.resetCache("orders");

        assertEquals(Optional.empty(), cache.get("a", Integer.class));
    }

    @Test
    public void caches_usedCache_showsStoreEntriesAndCounters() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").ttl(Duration.ofMinutes(5))
                .build());
        cache.set("a", 1);
        cache.get("a", Integer.class);
        cache.get("missing", Integer.class);

        CacheView view = admin.caches().get(0);

        assertEquals(new CacheView("n1", "orders", "memory", "test:orders", Duration.ofMinutes(5), 0, 1, 1, 1, 1, 0,
                0, 0), view);
    }

    @Test
    public void channels_subscribedAndPublished_showsOwnerAndCounts() {
        List<Order> received = new CopyOnWriteArrayList<>();
        node.pubSubView.subscribe("orders", Order.class, message -> received.add(message.payload()));

        admin.publish("orders", "{\"id\":\"o-2\",\"quantity\":1}", Delivery.ALL);

        await().atMost(WAIT).until(() -> received.size() == 1);
        assertEquals(new Order("o-2", 1), received.get(0));
        await().atMost(WAIT).until(() -> admin.channels().get(0).delivered() == 1);
        assertEquals(new ChannelView("n1", "orders", List.of(TestNode.BUNDLE), 1, 1, 0, 0), admin.channels().get(0));
    }

    @Test
    public void publish_onlySelf_skipsOtherNode() {
        try (TestNode other = new TestNode("n2", bus)) {
            List<String> local = new CopyOnWriteArrayList<>();
            List<String> remote = new CopyOnWriteArrayList<>();
            node.pubSubView.subscribe("news", String.class, message -> local.add(message.payload()));
            other.pubSubView.subscribe("news", String.class, message -> remote.add(message.payload()));

            admin.publish("news", "\"only here\"", Delivery.ONLY_SELF);
            admin.publish("news", "\"everywhere\"", Delivery.ALL);

            await().atMost(WAIT).until(() -> local.size() == 2 && remote.size() == 1);
            assertEquals(List.of("everywhere"), remote);
        }
    }

    @Test
    public void publish_malformedJson_countsNothing() {
        assertThrows(IllegalArgumentException.class, () -> admin.publish("orders", "{oops}", Delivery.ALL));

        assertEquals(List.of(), admin.channels());
    }

    @Test
    public void queues_failingTaskWithoutRetries_becomesDeadLetter() {
        node.queue.subscribe("jobs", Order.class, (payload, context) -> {
            throw new IllegalStateException("no stock for " + payload.id());
        });

        String taskId = admin.publishTask("jobs", "{\"id\":\"o-3\",\"quantity\":2}",
                TaskOptions.defaults().withMaxRetries(0));

        await().atMost(WAIT).until(() -> admin.deadLetters("jobs").size() == 1);
        DeadLetter letter = admin.deadLetters("jobs").get(0);
        assertEquals(taskId, letter.taskId());
        assertEquals(1, letter.attempts());
        assertEquals("java.lang.IllegalStateException: no stock for o-3", letter.lastError());
        assertEquals(new QueueView("n1", "jobs", 1, 0, 0, 1, 1, 0, 0, 1), admin.queues().get(0));
    }

    @Test
    public void retryDeadLetter_consumerFixed_completesTask() {
        AtomicBoolean failing = new AtomicBoolean(true);
        node.queue.subscribe("jobs", Order.class, (payload, context) -> {
            if (failing.get()) {
                throw new IllegalStateException("down");
            }
        });
        String taskId = admin.publishTask("jobs", "{\"id\":\"o-4\",\"quantity\":1}",
                TaskOptions.defaults().withMaxRetries(0));
        await().atMost(WAIT).until(() -> admin.deadLetters("jobs").size() == 1);
        failing.set(false);

        admin.retryDeadLetter("jobs", taskId);

        await().atMost(WAIT).until(() -> admin.queues().get(0).completed() == 1);
        assertEquals(List.of(), admin.deadLetters("jobs"));
    }

    @Test
    public void retryDeadLetters_none_returnsEmpty() {
        admin.publishTask("idle", "1", null);

        assertEquals(List.of(), admin.retryDeadLetters("idle"));
    }

    @Test
    public void retryDeadLetter_unknownId_rejectedNamingIt() {
        admin.publishTask("jobs", "1", null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> admin.retryDeadLetter("jobs", "no-such-task"));

        assertEquals("dead letter 'no-such-task' not found on queue channel 'jobs'; it has 0 dead letters",
                e.getMessage());
    }

    @Test
    public void deadLetters_unknownChannel_rejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> admin.deadLetters("nope"));

        assertTrue(e.getMessage(), e.getMessage().startsWith("queue channel 'nope' not found: node n1 never"));
    }

    @Test
    public void queues_restoredUnconsumedChannels_listedAndRetryable() throws Exception {
        Path directory = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter saved = new MemoryEventQueueAdapter(directory);
        saved.offer(TestNode.APP + ":gone.plugin", task("t-1", "gone.plugin"));
        saved.offer(TestNode.APP + ":gone.dead", task("t-2", "gone.dead"));
        assertNotNull(saved.take(TestNode.APP + ":gone.dead", Duration.ZERO));
        saved.deadLetter(TestNode.APP + ":gone.dead", new DeadLetter("t-2", "gone.dead", "{\"id\":\"o-2\"}", 1,
                "java.lang.IllegalStateException: down", Instant.EPOCH, Instant.EPOCH, TaskOptions.defaults()));
        saved.offer("other-app:gone.plugin", task("t-3", "gone.plugin"));
        saved.persist();

        try (TestNode restarted = new TestNode("n2", new LocalBus(), new MemoryEventQueueAdapter(directory))) {
            LocalNodeAdmin restartedAdmin = restarted.admin;

            assertEquals(List.of(new QueueView("n2", "gone.dead", 0, 0, 0, 1, 0, 0, 0, 0),
                    new QueueView("n2", "gone.plugin", 0, 0, 1, 0, 0, 0, 0, 0)), restartedAdmin.queues());
            assertEquals(List.of(), restartedAdmin.deadLetters("gone.plugin"));
            assertEquals("t-2", restartedAdmin.deadLetters("gone.dead").get(0).taskId());

            assertEquals(List.of("t-2"), restartedAdmin.retryDeadLetters("gone.dead"));
            assertEquals(List.of(), restartedAdmin.deadLetters("gone.dead"));
            assertEquals(1, restarted.queueManager.pending("gone.dead"));
            assertEquals(1, restarted.queueManager.pending("gone.plugin"));
        }
    }

    @Test
    public void queues_taskWithoutConsumer_isPending() {
        admin.publishTask("later", "{\"id\":\"o-5\",\"quantity\":1}", null);

        assertEquals(new QueueView("n1", "later", 0, 0, 1, 0, 1, 0, 0, 0), admin.queues().get(0));
    }

    @Test
    public void locks_heldLease_showsKeyOwnerAndTimes() throws Exception {
        try (LockHandle handle = node.locks.acquire("orders.lock", Duration.ofSeconds(30))) {
            LockView view = admin.locks().get(0);

            assertEquals("n1", view.nodeId());
            assertEquals("orders.lock", view.key());
            assertEquals(TestNode.BUNDLE, view.owner());
            assertEquals(handle.fenceToken(), view.fenceToken());
            assertEquals(handle.expiresAt(), view.expiresAt());
            assertEquals(Duration.ofSeconds(30), view.ttl());
            assertTrue(view.ttlLeft().compareTo(Duration.ofSeconds(30)) <= 0);
            assertEquals(Optional.of(view.key()), admin.lock("orders.lock").map(LockView::key));
            assertTrue(admin.isLocked("orders.lock"));
        }
    }

    @Test
    public void lock_freeKey_returnsEmpty() {
        assertEquals(Optional.empty(), admin.lock("free"));
        assertFalse(admin.isLocked("free"));
    }

    @Test
    public void syncChannels_sentAndReceived_showCountsOnEachNode() {
        try (TestNode other = new TestNode("n2", bus)) {
            List<String> received = new CopyOnWriteArrayList<>();
            other.sync.subscribe("b [2]", "prices", message -> received.add(message.payload(String.class)),
                    closed -> { });

            node.sync.publish("prices", "changed", SyncOptions.immediate());

            await().atMost(WAIT).until(() -> received.size() == 1);
            assertEquals(new SyncChannelView("n1", null, "prices", 1, 0, 0, 0, 0), admin.syncChannels().get(0));
            await().atMost(WAIT).until(() -> other.admin.syncChannels().get(0).handled() == 1);
            SyncChannelView remote = other.admin.syncChannels().get(0);
            assertEquals(1, remote.received());
            assertEquals(0, remote.failed());
        }
    }

    @Test
    public void totals_afterUse_sumCounters() {
        Cache cache = node.cacheService.createCache(CacheOptions.builder("orders").build());
        cache.get("missing", Integer.class);
        admin.publishTask("later", "1", null);

        Map<String, Long> totals = admin.totals();

        assertEquals(Long.valueOf(1), totals.get("cache.count"));
        assertEquals(Long.valueOf(1), totals.get("cache.misses"));
        assertEquals(Long.valueOf(1), totals.get("queue.published"));
        assertEquals(Long.valueOf(0), totals.get("lock.held"));
        assertNull(totals.get("unknown"));
    }

    private static TaskRecord task(String id, String channel) {
        return new TaskRecord(id, channel, "{\"id\":\"o-1\"}".getBytes(StandardCharsets.UTF_8), 1, 0, 60_000, 1_000,
                System.currentTimeMillis());
    }
}
