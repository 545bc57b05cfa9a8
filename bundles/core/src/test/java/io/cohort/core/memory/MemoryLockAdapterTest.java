package io.cohort.core.memory;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class MemoryLockAdapterTest {

    private static final String KEY = "app:orders";

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    private final MemoryLockAdapter adapter = new MemoryLockAdapter();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @After
    public void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    public void tryLock_freeKey_grantsToken() throws Exception {
        OptionalLong token = adapter.tryLock(KEY, Duration.ZERO);

        assertTrue(token.isPresent());
        assertTrue(adapter.isLocked(KEY));
    }

    @Test
    public void tryLock_heldKeyWithoutWait_returnsEmpty() throws Exception {
        adapter.lock(KEY);

        OptionalLong token = adapter.tryLock(KEY, Duration.ZERO);

        assertFalse(token.isPresent());
    }

    @Test
    public void tryLock_heldKeyWithWait_timesOut() throws Exception {
        adapter.lock(KEY);

        OptionalLong token = adapter.tryLock(KEY, Duration.ofMillis(50));

        assertFalse(token.isPresent());
        assertEquals(1, adapter.trackedKeyCount());
    }

    @Test
    public void unlock_wrongToken_keepsGrant() throws Exception {
        long token = adapter.lock(KEY);

        boolean unlocked = adapter.unlock(KEY, token + 1);

        assertFalse(unlocked);
        assertTrue(adapter.isLocked(KEY));
    }

    @Test
    public void unlock_rightToken_freesKeyAndTable() throws Exception {
        long token = adapter.lock(KEY);

        boolean unlocked = adapter.unlock(KEY, token);

        assertTrue(unlocked);
        assertFalse(adapter.isLocked(KEY));
        assertEquals(0, adapter.trackedKeyCount());
    }

    @Test
    public void unlock_twice_secondReturnsFalse() throws Exception {
        long token = adapter.lock(KEY);
        adapter.unlock(KEY, token);

        boolean again = adapter.unlock(KEY, token);

        assertFalse(again);
    }

    @Test
    public void lock_successiveGrants_tokensIncrease() throws Exception {
        long previous = 0;
        for (int i = 0; i < 5; i++) {
            long token = adapter.lock(KEY);
            adapter.tryLock("app:other", Duration.ZERO).ifPresent(other -> adapter.unlock("app:other", other));

            assertTrue(token + " after " + previous, token > previous);
            adapter.unlock(KEY, token);
            previous = token;
        }
    }

    @Test
    public void tryLock_releasedWhileWaiting_grantsLargerToken() throws Exception {
        long first = adapter.lock(KEY);
        AtomicReference<Thread> waitingThread = new AtomicReference<>();
        Future<OptionalLong> waiter = threads.submit(() -> {
            waitingThread.set(Thread.currentThread());
            return adapter.tryLock(KEY, Duration.ofSeconds(20));
        });
        await().until(() -> isParked(waitingThread.get()));

        threads.submit(() -> adapter.unlock(KEY, first)).get();

        OptionalLong second = waiter.get(10, TimeUnit.SECONDS);
        assertTrue(second.isPresent());
        assertTrue(second.getAsLong() > first);
    }

    @Test
    public void lock_interruptedWhileWaiting_throwsAndTakesNothing() throws Exception {
        long first = adapter.lock(KEY);
        AtomicReference<Thread> waitingThread = new AtomicReference<>();
        Future<Long> waiter = threads.submit(() -> {
            waitingThread.set(Thread.currentThread());
            return adapter.lock(KEY);
        });
        await().until(() -> isParked(waitingThread.get()));

        waitingThread.get().interrupt();

        ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof InterruptedException);
        assertTrue(adapter.unlock(KEY, first));
        assertFalse(adapter.isLocked(KEY));
        assertEquals(0, adapter.trackedKeyCount());
    }

    @Test
    public void lock_twoWaiters_bothGrantedInTurn() throws Exception {
        long first = adapter.lock(KEY);
        Future<Long> firstWaiter = threads.submit(() -> adapter.lock(KEY));
        Future<Long> secondWaiter = threads.submit(() -> adapter.lock(KEY));

        adapter.unlock(KEY, first);
        await().until(() -> firstWaiter.isDone() || secondWaiter.isDone());
        Future<Long> winner = firstWaiter.isDone() ? firstWaiter : secondWaiter;
        Future<Long> loser = winner == firstWaiter ? secondWaiter : firstWaiter;
        assertFalse(loser.isDone());
        adapter.unlock(KEY, winner.get());

        long last = loser.get(10, TimeUnit.SECONDS);
        assertTrue(last > winner.get());
    }

    @Test
    public void mode_isInProcess() {
        assertEquals("in-process", adapter.mode());
    }

    private static boolean isParked(Thread thread) {
        return thread != null
                && (thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING);
    }
}
