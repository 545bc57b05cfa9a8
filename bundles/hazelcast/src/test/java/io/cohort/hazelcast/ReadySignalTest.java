package io.cohort.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class ReadySignalTest {

    private static final long LONG_WAIT_NANOS = TimeUnit.MINUTES.toNanos(5);

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    private final ReadySignal signal = new ReadySignal();
    private final ExecutorService takers = Executors.newCachedThreadPool();

    @After
    public void stopTakers() {
        signal.wakeAll();
        takers.shutdownNow();
    }

    @Test
    public void itemAdded_twoWaiting_wakesOne() {
        List<Future<?>> waits = startWaiting(2);

        signal.itemAdded(null);

        await().atMost(Duration.ofSeconds(10)).until(() -> done(waits) == 1);
        assertEquals(1, signal.waitingTakers());
    }

    @Test
    public void itemAdded_twice_wakesBoth() {
        List<Future<?>> waits = startWaiting(2);

        signal.itemAdded(null);
        signal.itemAdded(null);

        await().atMost(Duration.ofSeconds(10)).until(() -> done(waits) == 2);
    }

    @Test
    public void wakeAll_threeWaiting_wakesAll() {
        List<Future<?>> waits = startWaiting(3);

        signal.wakeAll();

        await().atMost(Duration.ofSeconds(10)).until(() -> done(waits) == 3);
    }

    @Test
    public void itemAdded_afterInterruptedWaiter_wakesTheOther() throws Exception {
        long seen = signal.generation();
        CompletableFuture<Thread> interruptedThread = new CompletableFuture<>();
        Future<?> interrupted = takers.submit(() -> {
            interruptedThread.complete(Thread.currentThread());
            signal.awaitAdded(seen, LONG_WAIT_NANOS);
            return null;
        });
        Future<?> other = takers.submit(() -> {
            signal.awaitAdded(seen, LONG_WAIT_NANOS);
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> signal.waitingTakers() == 2);

        interruptedThread.get().interrupt();
        await().atMost(Duration.ofSeconds(10)).until(interrupted::isDone);
        signal.itemAdded(null);

        await().atMost(Duration.ofSeconds(10)).until(other::isDone);
        ExecutionException failure = assertThrows(ExecutionException.class, interrupted::get);
        assertTrue(failure.getCause() instanceof InterruptedException);
    }

    @Test
    public void awaitAdded_afterChange_returnsAtOnce() throws Exception {
        long seen = signal.generation();
        signal.itemAdded(null);

        Future<?> wait = takers.submit(() -> {
            signal.awaitAdded(seen, LONG_WAIT_NANOS);
            return null;
        });

        wait.get(10, TimeUnit.SECONDS);
        assertFalse(wait.isCancelled());
    }

    /** Starts {@code count} takers that wait for a task added after now, and waits until all of them wait. */
    private List<Future<?>> startWaiting(int count) {
        long seen = signal.generation();
        List<Future<?>> waits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            waits.add(takers.submit(() -> {
                signal.awaitAdded(seen, LONG_WAIT_NANOS);
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> signal.waitingTakers() == count);
        return waits;
    }

    private static long done(List<Future<?>> waits) {
        return waits.stream().filter(Future::isDone).count();
    }
}
