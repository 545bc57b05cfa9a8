package io.cohort.core.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskCancelledException;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskContext;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.MemoryEventQueueAdapter;
import io.cohort.core.node.NodeSettings;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class EventQueueManagerTest {

    private static final String CHANNEL = "jobs";
    private static final String QUEUE = "test:" + CHANNEL;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private MemoryEventQueueAdapter adapter;
    private EventQueueManager manager;
    private BundleEventQueue queue;

    /** A payload type, public so that Jackson can read it. */
    public record Job(String name, int number) {
    }

    /** A payload that Jackson cannot write, because its only property throws. */
    public static final class Unmappable {
        public String getValue() {
            throw new IllegalStateException("no value");
        }
    }

    @Before
    public void setUp() throws Exception {
        Path dataDir = folder.newFolder("data").toPath();
        adapter = new MemoryEventQueueAdapter(dataDir.resolve("queue"));
        manager = new EventQueueManager(new NodeSettings("test", "node-test", dataDir, Adapters.MEMORY,
                Adapters.MEMORY, Adapters.MEMORY, Adapters.MEMORY, SHUTDOWN_TIMEOUT));
        manager.addAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        queue = new BundleEventQueue(manager, "bundle test.plugin [7]");
    }

    @After
    public void tearDown() {
        queue.deactivate();
        manager.deactivate();
    }

    @Test
    public void subscribe_concurrencyThree_maxThreeParallel() {
        for (int i = 0; i < 20; i++) {
            queue.publish(CHANNEL, new Job("slow", i));
        }
        AtomicInteger current = new AtomicInteger();
        AtomicInteger maxParallel = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();

        queue.subscribe(CHANNEL, Job.class, consumer(3, () -> true, (job, context) -> {
            threads.add(Thread.currentThread().getName());
            maxParallel.accumulateAndGet(current.incrementAndGet(), Math::max);
            try {
                TimeUnit.MILLISECONDS.sleep(30);
            } finally {
                current.decrementAndGet();
            }
            done.incrementAndGet();
        }));

        await().atMost(WAIT).until(() -> done.get() == 20);
        assertEquals(3, maxParallel.get());
        assertEquals(Set.of("cohort-queue-jobs-1", "cohort-queue-jobs-2", "cohort-queue-jobs-3"), threads);
        assertEquals(20, manager.channelCounters().get(CHANNEL).completed());
    }

    @Test
    public void subscribe_concurrency_readOnce() {
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger processed = new AtomicInteger();

        queue.subscribe(CHANNEL, Job.class, new TaskConsumer<Job>() {
            @Override
            public int concurrency() {
                reads.incrementAndGet();
                return 2;
            }

            @Override
            public void process(Job payload, TaskContext context) {
                processed.incrementAndGet();
            }
        });
        queue.publish(CHANNEL, new Job("once", 1));

        await().atMost(WAIT).until(() -> processed.get() == 1);
        assertEquals(1, reads.get());
    }

    @Test
    public void subscribe_idleFalse_takesNothingUntilIdle() {
        for (int i = 0; i < 3; i++) {
            queue.publish(CHANNEL, new Job("gated", i));
        }
        AtomicBoolean idle = new AtomicBoolean(false);
        AtomicInteger idleCalls = new AtomicInteger();
        AtomicInteger processed = new AtomicInteger();

        queue.subscribe(CHANNEL, Job.class, consumer(2, () -> {
            idleCalls.incrementAndGet();
            return idle.get();
        }, (job, context) -> processed.incrementAndGet()));

        await().atMost(WAIT).until(() -> idleCalls.get() >= 4);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> processed.get() == 0);
        assertEquals(3, adapter.pending(QUEUE));
        assertEquals(0, adapter.inFlight(QUEUE));

        idle.set(true);

        await().atMost(WAIT).until(() -> processed.get() == 3);
    }

    @Test
    public void subscribe_idleThrows_treatedAsFalse() {
        queue.publish(CHANNEL, new Job("gated", 1));
        AtomicInteger idleCalls = new AtomicInteger();
        AtomicInteger processed = new AtomicInteger();

        queue.subscribe(CHANNEL, Job.class, consumer(1, () -> {
            if (idleCalls.incrementAndGet() <= 3) {
                throw new IllegalStateException("idle check failed");
            }
            return true;
        }, (job, context) -> processed.incrementAndGet()));

        await().atMost(WAIT).until(() -> processed.get() == 1);
        assertTrue(idleCalls.get() >= 4);
    }

    @Test
    public void process_timeoutIgnored_nextAttemptWaits() {
        List<long[]> runs = new CopyOnWriteArrayList<>();
        AtomicBoolean firstSawInterrupt = new AtomicBoolean();
        AtomicBoolean firstSawCancelFlag = new AtomicBoolean();
        queue.subscribe(CHANNEL, Job.class, consumer(2, () -> true, (job, context) -> {
            long start = System.nanoTime();
            if (context.attempt() == 1) {
                firstSawInterrupt.set(workIgnoringInterrupts(400));
                firstSawCancelFlag.set(context.isCancelled());
            }
            runs.add(new long[] {context.attempt(), start, System.nanoTime()});
        }));

        queue.publish(CHANNEL, new Job("stubborn", 1),
                new TaskOptions(Duration.ofMillis(100), 1, Duration.ofMillis(10)));

        await().atMost(WAIT).until(() -> runs.size() == 2);
        long[] first = runs.get(0);
        long[] second = runs.get(1);
        assertEquals(1, first[0]);
        assertEquals(2, second[0]);
        assertTrue("attempt 2 started before attempt 1 returned", second[1] >= first[2]);
        assertTrue(firstSawInterrupt.get());
        assertTrue(firstSawCancelFlag.get());
        ChannelCounters counters = manager.channelCounters().get(CHANNEL);
        assertEquals(1, counters.retried());
        assertEquals(1, counters.completed());
    }

    @Test
    public void process_timeoutWithoutRetries_deadLetterTimeout() {
        queue.subscribe(CHANNEL, Job.class, (job, context) -> workIgnoringInterrupts(300));

        String id = queue.publish(CHANNEL, new Job("stubborn", 1),
                new TaskOptions(Duration.ofMillis(50), 0, Duration.ofMillis(10)));

        await().atMost(WAIT).until(() -> queue.deadLetters(CHANNEL).size() == 1);
        DeadLetter letter = queue.deadLetters(CHANNEL).get(0);
        assertEquals(id, letter.taskId());
        assertEquals("timeout", letter.lastError());
        assertEquals(1, letter.attempts());
        assertEquals(0, manager.channelCounters().get(CHANNEL).completed());
    }

    @Test
    public void process_alwaysThrows_deadAfterThreeAttempts() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        List<Long> ends = new CopyOnWriteArrayList<>();
        List<Long> starts = new CopyOnWriteArrayList<>();
        queue.subscribe(CHANNEL, Job.class, (job, context) -> {
            starts.add(System.nanoTime());
            attempts.add(context.attempt());
            ends.add(System.nanoTime());
            throw new IllegalStateException("boom on attempt " + context.attempt());
        });

        String id = queue.publish(CHANNEL, new Job("doomed", 9),
                new TaskOptions(Duration.ofSeconds(5), 2, Duration.ofMillis(50)));

        await().atMost(WAIT).until(() -> queue.deadLetters(CHANNEL).size() == 1);
        assertEquals(List.of(1, 2, 3), attempts);
        DeadLetter letter = queue.deadLetters(CHANNEL).get(0);
        assertEquals(id, letter.taskId());
        assertEquals(CHANNEL, letter.channel());
        assertEquals(3, letter.attempts());
        assertEquals("java.lang.IllegalStateException: boom on attempt 3", letter.lastError());
        assertEquals("{\"name\":\"doomed\",\"number\":9}", letter.payloadJson());
        assertTrue("first backoff shorter than 50 ms", starts.get(1) - ends.get(0) >= 50_000_000L);
        assertTrue("second backoff shorter than 100 ms", starts.get(2) - ends.get(1) >= 100_000_000L);
        assertEquals(0, adapter.pending(QUEUE));
        assertEquals(0, adapter.inFlight(QUEUE));
        ChannelCounters counters = manager.channelCounters().get(CHANNEL);
        assertEquals(2, counters.retried());
        assertEquals(1, counters.dead());
    }

    @Test
    public void process_failsOnce_completesOnSecondAttempt() {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        queue.subscribe(CHANNEL, Job.class, (job, context) -> {
            attempts.add(context.attempt());
            if (context.attempt() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
        });

        queue.publish(CHANNEL, new Job("flaky", 1), TaskOptions.defaults().withBackoff(Duration.ofMillis(10)));

        await().atMost(WAIT).until(() -> manager.channelCounters().get(CHANNEL).completed() == 1);
        assertEquals(List.of(1, 2), attempts);
        assertEquals(1, manager.channelCounters().get(CHANNEL).retried());
        assertEquals(List.of(), queue.deadLetters(CHANNEL));
        assertEquals(0, adapter.inFlight(QUEUE));
    }

    @Test
    public void process_cooperativeHandler_seesCancellationAtTimeout() {
        AtomicBoolean flagAtInterrupt = new AtomicBoolean();
        AtomicReference<String> cancelMessage = new AtomicReference<>();
        queue.subscribe(CHANNEL, Job.class, (job, context) -> {
            try {
                new CountDownLatch(1).await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                flagAtInterrupt.set(context.isCancelled());
            }
            try {
                context.throwIfCancelled();
            } catch (TaskCancelledException e) {
                cancelMessage.set(e.getMessage());
                throw e;
            }
        });

        String id = queue.publish(CHANNEL, new Job("cooperative", 1),
                new TaskOptions(Duration.ofMillis(100), 0, Duration.ofMillis(10)));

        await().atMost(WAIT).until(() -> queue.deadLetters(CHANNEL).size() == 1);
        assertTrue(flagAtInterrupt.get());
        assertTrue(cancelMessage.get(), cancelMessage.get().contains(id));
        assertTrue(cancelMessage.get(), cancelMessage.get().contains("timeout"));
        assertEquals("timeout", queue.deadLetters(CHANNEL).get(0).lastError());
    }

    @Test
    public void process_undecodablePayload_failureNamesChannelAndType() {
        queue.subscribe(CHANNEL, Job.class, (job, context) -> {
        });

        queue.publish(CHANNEL, "not a job", new TaskOptions(Duration.ofSeconds(5), 0, Duration.ofMillis(10)));

        await().atMost(WAIT).until(() -> queue.deadLetters(CHANNEL).size() == 1);
        String reason = queue.deadLetters(CHANNEL).get(0).lastError();
        assertTrue(reason, reason.contains("channel " + CHANNEL));
        assertTrue(reason, reason.contains(Job.class.getName()));
    }

    @Test
    public void close_slowTask_handedBackAsAttemptTwo() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Subscription first = queue.subscribe(CHANNEL, Job.class, (job, context) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
        });
        String runningId = queue.publish(CHANNEL, new Job("long", 1));
        await().atMost(WAIT).until(() -> started.getCount() == 0);
        String waitingId = queue.publish(CHANNEL, new Job("waiting", 2));

        long closeStart = System.nanoTime();
        first.close();
        long closeMillis = (System.nanoTime() - closeStart) / 1_000_000;

        assertFalse(first.isActive());
        assertTrue(interrupted.get());
        assertTrue("close returned before the shutdown timeout: " + closeMillis, closeMillis >= 250);
        assertEquals(2, adapter.pending(QUEUE));
        assertEquals(0, adapter.inFlight(QUEUE));
        assertEquals(0L, (long) manager.resourceCounts().get("queue.consumers"));

        Map<String, Integer> attemptById = new ConcurrentHashMap<>();
        queue.subscribe(CHANNEL, Job.class, (job, context) -> attemptById.put(context.taskId(), context.attempt()));

        await().atMost(WAIT).until(() -> attemptById.size() == 2);
        assertEquals(Integer.valueOf(2), attemptById.get(runningId));
        assertEquals(Integer.valueOf(1), attemptById.get(waitingId));
        assertEquals(List.of(), queue.deadLetters(CHANNEL));
    }

    @Test
    public void close_taskEndsWithinShutdownTimeout_completesNormally() {
        CountDownLatch started = new CountDownLatch(1);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Subscription subscription = queue.subscribe(CHANNEL, Job.class, (job, context) -> {
            started.countDown();
            TimeUnit.MILLISECONDS.sleep(100);
            attempts.add(context.attempt());
        });
        queue.publish(CHANNEL, new Job("short", 1));
        await().atMost(WAIT).until(() -> started.getCount() == 0);

        subscription.close();

        assertEquals(List.of(1), attempts);
        assertEquals(1, manager.channelCounters().get(CHANNEL).completed());
        assertEquals(0, adapter.pending(QUEUE));
        assertEquals(0, adapter.inFlight(QUEUE));
    }

    @Test
    public void retryDeadLetter_existing_runsAsFirstAttempt() {
        AtomicBoolean fail = new AtomicBoolean(true);
        List<String> runs = new CopyOnWriteArrayList<>();
        queue.subscribe(CHANNEL, Job.class, (job, context) -> {
            runs.add(context.attempt() + "/" + context.maxRetries());
            if (fail.get()) {
                throw new IllegalStateException("not yet");
            }
        });
        TaskOptions options = new TaskOptions(Duration.ofSeconds(7), 1, Duration.ofMillis(10));
        String id = queue.publish(CHANNEL, new Job("revived", 3), options);
        await().atMost(WAIT).until(() -> queue.deadLetters(CHANNEL).size() == 1);
        assertEquals(options, queue.deadLetters(CHANNEL).get(0).options());
        fail.set(false);

        boolean retried = queue.retryDeadLetter(CHANNEL, id);

        assertTrue(retried);
        await().atMost(WAIT).until(() -> manager.channelCounters().get(CHANNEL).completed() == 1);
        assertEquals(List.of("1/1", "2/1", "1/1"), runs);
        assertEquals(List.of(), queue.deadLetters(CHANNEL));
    }

    @Test
    public void retryDeadLetter_unknownId_returnsFalse() {
        boolean retried = queue.retryDeadLetter(CHANNEL, "no-such-task");

        assertFalse(retried);
        assertEquals(0, adapter.pending(QUEUE));
    }

    @Test
    public void badInput_rejected_queueUnchanged() {
        queue.publish(CHANNEL, new Job("queued", 1));
        String longChannel = "c".repeat(201);
        Map<String, ThrowingRunnable> cases = new LinkedHashMap<>();
        cases.put("channel ''", () -> queue.publish("", new Job("x", 1)));
        cases.put("201 characters", () -> queue.publish(longChannel, new Job("x", 1)));
        cases.put("channel 'jobs#1'", () -> queue.publish("jobs#1", new Job("x", 1)));
        cases.put("payload on channel jobs is null", () -> queue.publish(CHANNEL, null));
        cases.put(Unmappable.class.getName(), () -> queue.publish(CHANNEL, new Unmappable()));
        cases.put("options of the task on channel jobs are null", () -> queue.publish(CHANNEL, new Job("x", 1), null));
        cases.put("concurrency 0", () -> queue.subscribe(CHANNEL, Job.class, consumer(0, () -> true, (j, c) -> {
        })));
        cases.put("concurrency 257", () -> queue.subscribe(CHANNEL, Job.class, consumer(257, () -> true, (j, c) -> {
        })));
        cases.put("channel 'bad channel'", () -> queue.subscribe("bad channel", Job.class, (j, c) -> {
        }));
        cases.put("type is null", () -> queue.subscribe(CHANNEL, null, (j, c) -> {
        }));

        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, ThrowingRunnable> entry : cases.entrySet()) {
            IllegalArgumentException error = assertThrows(entry.getKey(), IllegalArgumentException.class,
                    entry.getValue());
            if (!error.getMessage().contains(entry.getKey())) {
                failures.add("expected '" + entry.getKey() + "' in: " + error.getMessage());
            }
            if (adapter.pending(QUEUE) != 1) {
                failures.add("pending changed to " + adapter.pending(QUEUE) + " after: " + entry.getKey());
            }
            if (manager.resourceCounts().get("queue.consumers") != 0L) {
                failures.add("a consumer started after: " + entry.getKey());
            }
        }
        assertEquals(Collections.emptyList(), failures);
        assertEquals(1, manager.channelCounters().get(CHANNEL).published());
    }

    @Test
    public void publish_afterDeactivate_throwsIllegalState() {
        manager.deactivate();

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> queue.publish(CHANNEL, new Job("late", 1)));

        assertTrue(error.getMessage(), error.getMessage().contains("node-test"));
        assertEquals(0, adapter.pending(QUEUE));
    }

    @Test
    public void publish_adapterMissing_throwsIllegalStateNamingAdapter() {
        manager.removeAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> queue.publish(CHANNEL, new Job("nowhere", 1)));

        assertTrue(error.getMessage(), error.getMessage().contains("'memory'"));
    }

    @Test
    public void deactivate_bundleView_stopsItsConsumers() {
        Subscription first = queue.subscribe(CHANNEL, Job.class, (job, context) -> {
        });
        Subscription second = queue.subscribe("other", Job.class, (job, context) -> {
        });
        assertEquals(2L, (long) manager.resourceCounts().get("queue.consumers"));

        queue.deactivate();

        assertFalse(first.isActive());
        assertFalse(second.isActive());
        assertEquals(0L, (long) manager.resourceCounts().get("queue.consumers"));
        assertEquals(0, queue.consumerCount());
        assertThrows(IllegalStateException.class, () -> queue.subscribe(CHANNEL, Job.class, (job, context) -> {
        }));
    }

    @Test
    public void resourceCounts_taskRunning_countsIt() {
        CountDownLatch release = new CountDownLatch(1);
        queue.subscribe(CHANNEL, Job.class, (job, context) -> release.await(10, TimeUnit.SECONDS));
        queue.publish(CHANNEL, new Job("counted", 1));

        await().atMost(WAIT).until(() -> manager.resourceCounts().get("queue.running") == 1L);
        release.countDown();

        await().atMost(WAIT).until(() -> manager.resourceCounts().get("queue.running") == 0L);
        assertEquals(1L, (long) manager.resourceCounts().get("queue.consumers"));
    }

    @Test
    public void retryDelayMillis_doubles_cappedAtFiveMinutes() {
        assertEquals(1_000, QueueConsumer.retryDelayMillis(1_000, 1));
        assertEquals(2_000, QueueConsumer.retryDelayMillis(1_000, 2));
        assertEquals(256_000, QueueConsumer.retryDelayMillis(1_000, 9));
        assertEquals(300_000, QueueConsumer.retryDelayMillis(1_000, 10));
        assertEquals(300_000, QueueConsumer.retryDelayMillis(1_000, 101));
        assertEquals(300_000, QueueConsumer.retryDelayMillis(Long.MAX_VALUE, 1));
    }

    private static <T> TaskConsumer<T> consumer(int concurrency, BooleanSupplier idle, TaskConsumer<T> handler) {
        return new TaskConsumer<>() {
            @Override
            public boolean idle() {
                return idle.getAsBoolean();
            }

            @Override
            public int concurrency() {
                return concurrency;
            }

            @Override
            public void process(T payload, TaskContext context) throws Exception {
                handler.process(payload, context);
            }
        };
    }

    /**
     * Works for {@code millis} and ignores interrupts, as a handler that does not cooperate would.
     *
     * @return whether the thread was interrupted meanwhile
     */
    private static boolean workIgnoringInterrupts(long millis) {
        boolean interrupted = false;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long remaining = millis; remaining > 0; remaining = end - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(end - System.nanoTime());
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
