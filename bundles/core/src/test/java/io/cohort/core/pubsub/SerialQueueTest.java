package io.cohort.core.pubsub;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class SerialQueueTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    private final ExecutorService pool = DeliveryThreads.pool("cohort-pubsub-test");
    private final List<Integer> dropped = new CopyOnWriteArrayList<>();

    @After
    public void stopPool() {
        pool.shutdownNow();
    }

    @Test
    public void offer_manyBatches_keepsOrder() {
        int count = SerialQueue.BATCH * 10 + 7;
        List<Integer> ran = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        SerialQueue<Integer> queue = new SerialQueue<>("test queue", pool, item -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            ran.add(item);
            running.decrementAndGet();
        }, dropped::add);

        for (int i = 0; i < count; i++) {
            assertTrue(queue.offer(i));
        }

        await().until(() -> ran.size() == count);
        assertEquals(IntStream.range(0, count).boxed().collect(Collectors.toList()), new ArrayList<>(ran));
        assertEquals(1, maxRunning.get());
        assertTrue(dropped.isEmpty());
    }

    @Test
    public void offer_afterIdle_runsAgain() {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        SerialQueue<Integer> queue = new SerialQueue<>("test queue", pool, ran::add, dropped::add);

        queue.offer(1);
        await().until(() -> ran.size() == 1);
        queue.offer(2);

        await().until(() -> ran.size() == 2);
        assertEquals(List.of(1, 2), new ArrayList<>(ran));
    }

    @Test
    public void close_whileRunning_dropsQueued() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        SerialQueue<Integer> queue = new SerialQueue<>("test queue", pool, item -> {
            ran.add(item);
            started.countDown();
            awaitQuietly(release);
        }, dropped::add);
        queue.offer(1);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        queue.offer(2);
        queue.offer(3);

        boolean finished = queue.close(Duration.ofMillis(50));
        release.countDown();

        assertFalse(finished);
        assertEquals(List.of(2, 3), new ArrayList<>(dropped));
        assertFalse(queue.offer(4));
        assertTrue(queue.isClosed());
        await().during(Duration.ofMillis(200)).until(() -> ran.equals(List.of(1)));
    }

    @Test
    public void offer_stoppedExecutor_dropsItem() {
        pool.shutdown();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        SerialQueue<Integer> queue = new SerialQueue<>("test queue", pool, ran::add, dropped::add);

        queue.offer(1);

        assertEquals(List.of(1), new ArrayList<>(dropped));
        assertTrue(ran.isEmpty());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
