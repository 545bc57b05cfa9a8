package io.cohort.hazelcast;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.spi.TaskRecord;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

public class HazelcastEventQueueAdapterTest {

    private static final QueueTimings FAST = new QueueTimings(Duration.ofMillis(100), Duration.ofSeconds(1),
            Duration.ofSeconds(2));

    private static TestCluster cluster;
    private static List<HazelcastEventQueueAdapter> adapters;

    @Rule
    public Timeout timeout = Timeout.seconds(90);

    @Rule
    public TestName testName = new TestName();

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-queue", 5811, 3);
        adapters = new ArrayList<>();
        for (HazelcastMember member : cluster.members()) {
            adapters.add(new HazelcastEventQueueAdapter(member.instance(), FAST));
        }
    }

    @AfterClass
    public static void stopCluster() {
        if (adapters != null) {
            adapters.forEach(HazelcastEventQueueAdapter::deactivate);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void take_1000OnThreeMembers_eachOnce() throws Exception {
        String queue = queue();
        for (int i = 0; i < 1_000; i++) {
            adapter(0).offer(queue, task("t" + i));
        }
        Map<String, Integer> takes = new ConcurrentHashMap<>();
        AtomicInteger takenCount = new AtomicInteger();
        ExecutorService consumers = Executors.newFixedThreadPool(3);

        try {
            List<Future<Integer>> perMember = new ArrayList<>();
            for (HazelcastEventQueueAdapter adapter : adapters) {
                perMember.add(consumers.submit(() -> consume(adapter, queue, takes, takenCount, 1_000)));
            }
            for (Future<Integer> future : perMember) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            consumers.shutdownNow();
        }

        assertEquals(1_000, takes.size());
        assertTrue("a task was taken twice: " + takes, takes.values().stream().allMatch(count -> count == 1));
        assertEquals(0, adapter(1).pending(queue));
        assertEquals(0, adapter(2).inFlight(queue));
    }

    @Test
    public void memberKilled_inFlightTasks_retakenAsNextAttempt() throws Exception {
        String queue = queue();
        HazelcastMember doomed = cluster.addMember();
        cluster.awaitSafe();
        HazelcastEventQueueAdapter onDoomed = new HazelcastEventQueueAdapter(doomed.instance(), FAST);
        Set<String> takenByDoomed = new HashSet<>();
        try {
            for (int i = 0; i < 20; i++) {
                adapter(0).offer(queue, task("t" + i));
            }
            for (int i = 0; i < 10; i++) {
                takenByDoomed.add(onDoomed.take(queue, Duration.ofSeconds(5)).id());
            }

            cluster.kill(doomed);
        } finally {
            onDoomed.deactivate();
        }

        Map<String, TaskRecord> retaken = new HashMap<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (HazelcastEventQueueAdapter adapter : adapters) {
                TaskRecord task = adapter.take(queue, Duration.ofMillis(100));
                if (task != null) {
                    if (retaken.put(task.id(), task) != null) {
                        fail("task " + task.id() + " was taken twice");
                    }
                    adapter.complete(queue, task.id());
                }
            }
            return retaken.size() == 20;
        });
        for (TaskRecord task : retaken.values()) {
            int expectedAttempt = takenByDoomed.contains(task.id()) ? 2 : 1;
            assertEquals("attempt of " + task.id(), expectedAttempt, task.attempt());
        }
        assertEquals(0, adapter(0).inFlight(queue));
    }

    @Test
    public void inFlight_ofUnknownMember_requeuedOnce() throws InterruptedException {
        String queue = queue();
        adapter(0).offer(queue, task("seed"));
        adapter(0).complete(queue, adapter(0).take(queue, Duration.ofSeconds(5)).id());
        InFlightTask orphan = new InFlightTask(UUID.randomUUID().toString(), System.currentTimeMillis() - 60_000,
                task("orphan"));

        cluster.member(1).instance().<String, InFlightTask>getMap(GridNames.inFlightMap(queue)).set("orphan", orphan);

        await().atMost(Duration.ofSeconds(20)).until(() -> adapter(2).pending(queue) > 0);
        TaskRecord requeued = adapter(2).take(queue, Duration.ofSeconds(5));
        assertEquals("orphan", requeued.id());
        assertEquals(2, requeued.attempt());
        adapter(2).complete(queue, requeued.id());
        assertNull("the orphan was requeued more than once", adapter(0).take(queue, Duration.ofSeconds(3)));
    }

    @Test
    public void requeue_withDelay_readyAfterDelay() throws InterruptedException {
        String queue = queue();
        adapter(0).offer(queue, task("t"));
        TaskRecord first = adapter(0).take(queue, Duration.ofSeconds(5));

        long requeuedAt = System.nanoTime();
        adapter(0).requeue(queue, first.nextAttempt(), Duration.ofMillis(1_500));

        assertEquals(1, adapter(1).pending(queue));
        assertEquals(0, adapter(1).inFlight(queue));
        assertNull(adapter(1).take(queue, Duration.ofMillis(500)));
        TaskRecord retry = adapter(2).take(queue, Duration.ofSeconds(10));
        long waitedMillis = (System.nanoTime() - requeuedAt) / 1_000_000;
        assertNotNull(retry);
        assertEquals(2, retry.attempt());
        assertTrue("ready after " + waitedMillis + " ms", waitedMillis >= 1_400);
    }

    @Test
    public void requeue_withoutDelay_isReadyAtOnce() throws InterruptedException {
        String queue = queue();
        adapter(0).offer(queue, task("t"));
        TaskRecord first = adapter(0).take(queue, Duration.ofSeconds(5));

        adapter(0).requeue(queue, first, Duration.ZERO);

        TaskRecord again = adapter(1).take(queue, Duration.ofSeconds(5));
        assertEquals(1, again.attempt());
        assertEquals(1, adapter(1).inFlight(queue));
    }

    @Test
    public void take_onAnotherMember_keepsEveryField() throws InterruptedException {
        String queue = queue();
        TaskRecord sent = new TaskRecord("full", "orders", "{\"n\":1}".getBytes(UTF_8), 3, 7, 45_000, 2_500,
                1_700_000_000_123L);

        adapter(0).offer(queue, sent);
        TaskRecord got = adapter(2).take(queue, Duration.ofSeconds(5));

        assertEquals(sent.id(), got.id());
        assertEquals(sent.channel(), got.channel());
        assertArrayEquals(sent.payload(), got.payload());
        assertEquals(sent.attempt(), got.attempt());
        assertEquals(sent.maxRetries(), got.maxRetries());
        assertEquals(sent.timeoutMillis(), got.timeoutMillis());
        assertEquals(sent.backoffMillis(), got.backoffMillis());
        assertEquals(sent.publishedAtMillis(), got.publishedAtMillis());
        adapter(2).complete(queue, got.id());
    }

    @Test
    public void take_waiting_returnsWhenAnotherMemberOffers() throws Exception {
        String queue = queue();
        ExecutorService taker = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch waiting = new CountDownLatch(1);
            Future<TaskRecord> taken = taker.submit(() -> {
                waiting.countDown();
                return adapter(1).take(queue, Duration.ofSeconds(20));
            });
            assertTrue(waiting.await(5, TimeUnit.SECONDS));
            Thread.sleep(300);

            long offeredAt = System.nanoTime();
            adapter(2).offer(queue, task("late"));

            assertEquals("late", taken.get(10, TimeUnit.SECONDS).id());
            assertTrue((System.nanoTime() - offeredAt) < TimeUnit.SECONDS.toNanos(5));
        } finally {
            taker.shutdownNow();
        }
    }

    @Test
    public void take_interrupted_throwsAndTakesNothing() throws Exception {
        String queue = queue();
        Thread.currentThread().interrupt();

        try {
            adapter(0).take(queue, Duration.ofSeconds(5));
            fail("take should have thrown InterruptedException");
        } catch (InterruptedException expected) {
            // expected
        }

        adapter(0).offer(queue, task("after"));
        assertEquals("after", adapter(0).take(queue, Duration.ofSeconds(5)).id());
    }

    @Test
    public void complete_fromAnotherMember_isIgnored() throws InterruptedException {
        String queue = queue();
        adapter(0).offer(queue, task("t"));
        TaskRecord task = adapter(0).take(queue, Duration.ofSeconds(5));

        adapter(1).complete(queue, task.id());

        assertEquals(1, adapter(0).inFlight(queue));
        adapter(0).complete(queue, task.id());
        assertEquals(0, adapter(0).inFlight(queue));
    }

    @Test
    public void deadLetters_areListedOldestFirstAndRemovable() throws InterruptedException {
        String queue = queue();
        adapter(0).offer(queue, task("a"));
        adapter(0).offer(queue, task("b"));
        TaskRecord a = adapter(0).take(queue, Duration.ofSeconds(5));
        TaskRecord b = adapter(1).take(queue, Duration.ofSeconds(5));
        Instant now = Instant.now();
        DeadLetter newer = letter(b, now);
        DeadLetter older = letter(a, now.minusSeconds(5));

        adapter(1).deadLetter(queue, newer);
        adapter(0).deadLetter(queue, older);

        assertEquals(List.of(older, newer), adapter(2).deadLetters(queue));
        assertEquals(0, adapter(2).inFlight(queue));
        assertEquals(Optional.of(older), adapter(2).removeDeadLetter(queue, "a"));
        assertEquals(Optional.empty(), adapter(2).removeDeadLetter(queue, "a"));
        assertEquals(List.of(newer), adapter(0).deadLetters(queue));
    }

    @Test
    public void deadLetter_notInFlight_isStored() {
        String queue = queue();
        DeadLetter letter = new DeadLetter("x", "orders", "{}", 4, "timeout", Instant.now(), Instant.now(), null);

        adapter(0).deadLetter(queue, letter);

        assertEquals(List.of(letter), adapter(1).deadLetters(queue));
    }

    @Test
    public void queueNames_newAdapter_listsStoredQueue() {
        String queue = queue();
        adapter(0).offer(queue, task("t1"));

        HazelcastEventQueueAdapter restarted = new HazelcastEventQueueAdapter(cluster.members().get(1).instance(),
                FAST);
        try {
            assertTrue(restarted.queueNames().toString(), restarted.queueNames().contains(queue));
            await().atMost(Duration.ofSeconds(10)).until(() -> adapter(2).queueNames().contains(queue));
            assertEquals(1, restarted.pending(queue));
            assertEquals(0, restarted.inFlight(queue));
        } finally {
            restarted.deactivate();
        }
    }

    private static int consume(HazelcastEventQueueAdapter adapter, String queue, Map<String, Integer> takes,
            AtomicInteger takenCount, int total) throws InterruptedException {
        int mine = 0;
        while (takenCount.get() < total) {
            TaskRecord task = adapter.take(queue, Duration.ofMillis(200));
            if (task != null) {
                takes.merge(task.id(), 1, Integer::sum);
                adapter.complete(queue, task.id());
                takenCount.incrementAndGet();
                mine++;
            }
        }
        return mine;
    }

    private static HazelcastEventQueueAdapter adapter(int member) {
        return adapters.get(member);
    }

    private String queue() {
        return "test:" + testName.getMethodName();
    }

    private static TaskRecord task(String id) {
        return new TaskRecord(id, "orders", ("{\"id\":\"" + id + "\"}").getBytes(UTF_8), 1, 3, 60_000, 1_000,
                System.currentTimeMillis());
    }

    private static DeadLetter letter(TaskRecord task, Instant deadAt) {
        return new DeadLetter(task.id(), task.channel(), new String(task.payload(), UTF_8), task.attempt(), "timeout",
                Instant.ofEpochMilli(task.publishedAtMillis()), deadAt, TaskOptions.defaults());
    }
}
