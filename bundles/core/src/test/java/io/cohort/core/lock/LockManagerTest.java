package io.cohort.core.lock;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.cohort.api.lock.LeaseLostException;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.MemoryLockAdapter;
import io.cohort.core.node.NodeSettings;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class LockManagerTest {

    private static final Duration LONG_TTL = Duration.ofMinutes(5);
    private static final Duration SHORT_TTL = Duration.ofMillis(100);

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    private final MemoryLockAdapter adapter = new MemoryLockAdapter();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private ExecutorLeaseTimer timer;
    private LockService service;
    private BundleLockManager manager;
    private BundleLockManager otherManager;
    private int counter;

    @Before
    public void startService() {
        timer = new ExecutorLeaseTimer();
        service = new LockService(settings("memory"), timer);
        service.addAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        manager = new BundleLockManager(service, "plugin.a [7]");
        otherManager = new BundleLockManager(service, "plugin.b [8]");
    }

    @After
    public void stopService() {
        threads.shutdownNow();
        service.deactivate();
    }

    @Test
    public void runExclusive_manyThreads_counterExact() throws Exception {
        int threadCount = 8;
        int increments = 250;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            workers.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < increments; i++) {
                    manager.runExclusive("counter", () -> counter++, LONG_TTL);
                }
                return null;
            }));
        }

        start.countDown();
        for (Future<?> worker : workers) {
            worker.get(30, TimeUnit.SECONDS);
        }

        assertEquals(threadCount * increments, counter);
        assertFalse(adapter.isLocked("shop:counter"));
    }

    @Test
    public void isHeld_grantLostInAdapter_endsLease() throws InterruptedException {
        LockHandle handle = manager.acquire("lost", LONG_TTL);
        // The adapter's grant ends behind the lease's back, as when the cluster ends a paused node's session.
        assertTrue(adapter.unlock("shop:lost", handle.fenceToken()));

        assertFalse(handle.isHeld());
        assertEquals(List.of(), service.heldLeases());
        assertEquals(0, manager.heldCount());
        LeaseLostException extend = assertThrows(LeaseLostException.class, () -> handle.extend(LONG_TTL));
        assertTrue(extend.getMessage(), extend.getMessage().contains("no longer granted by the lock adapter"));
        LeaseLostException release = assertThrows(LeaseLostException.class, handle::release);
        assertTrue(release.getMessage(), release.getMessage().contains("no longer granted by the lock adapter"));
    }

    @Test
    public void heldLeases_grantLostInAdapter_leftOut() throws InterruptedException {
        LockHandle lost = manager.acquire("lost-listed", LONG_TTL);
        LockHandle kept = manager.acquire("kept-listed", LONG_TTL);
        assertTrue(adapter.unlock("shop:lost-listed", lost.fenceToken()));

        List<LockService.HeldLease> held = service.heldLeases();

        assertEquals(1, held.size());
        assertEquals("kept-listed", held.get(0).key());
        kept.release();
    }

    @Test
    public void extend_grantLostInAdapter_throwsLeaseLost() throws InterruptedException {
        LockHandle handle = manager.acquire("lost-extend", LONG_TTL);
        assertTrue(adapter.unlock("shop:lost-extend", handle.fenceToken()));

        LeaseLostException e = assertThrows(LeaseLostException.class, () -> handle.extend(LONG_TTL));

        assertTrue(e.getMessage(), e.getMessage().contains("no longer granted by the lock adapter"));
    }

    @Test
    public void runExclusive_grantLostInRenewal_throwsLeaseLost() {
        LeaseLostException e = assertThrows(LeaseLostException.class,
                () -> manager.runExclusive("lost-renewed", () -> {
                    LockService.HeldLease lease = service.heldLeases().get(0);
                    assertTrue(adapter.unlock("shop:lost-renewed", lease.fenceToken()));
                    await().atMost(Duration.ofSeconds(10)).until(() -> service.heldLeases().isEmpty());
                    return "done";
                }, Duration.ofMillis(300), LONG_TTL));

        assertTrue(e.getMessage(), e.getMessage().contains("was lost, because the lock adapter no longer had"));
    }

    @Test
    public void runExclusive_renewalTooLate_namesTheTtl() {
        LeaseLostException e = assertThrows(LeaseLostException.class,
                () -> manager.runExclusive("late-renewal", () -> {
                    // The timer thread is busy, so the renewal comes after the deadline.
                    timer.schedule(() -> sleepQuietly(400), 0);
                    Thread.sleep(600);
                    return "done";
                }, Duration.ofMillis(150), LONG_TTL));

        assertTrue(e.getMessage(), e.getMessage().contains("ran out after its ttl of PT0.15S, because no renewal "
                + "came in time"));
    }

    @Test
    public void acquire_waitingWhenBundleStops_failsAtOnce() throws Exception {
        LockHandle held = otherManager.acquire("contested", LONG_TTL);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                manager.acquire("contested", LONG_TTL);
                outcome.set(new AssertionError("acquired although the bundle stopped"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "test-lock-waiter");
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.WAITING);

        manager.deactivate();
        waiter.join(10_000);

        assertFalse(waiter.isAlive());
        assertTrue(String.valueOf(outcome.get()), outcome.get() instanceof IllegalStateException);
        assertTrue(outcome.get().getMessage(), outcome.get().getMessage().contains("was cancelled"));
        assertTrue(held.isHeld());
        held.release();
    }

    @Test
    public void tryAcquire_afterBundleStop_throws() {
        manager.deactivate();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> manager.tryAcquire("after-stop", LONG_TTL, Duration.ofSeconds(30)));

        assertTrue(e.getMessage(), e.getMessage().contains("is closed"));
    }

    @Test
    public void runExclusive_bodyOutlivesTtl_throwsLeaseLost() throws Exception {
        AtomicReference<LockHandle> otherHandle = new AtomicReference<>();

        LeaseLostException e = assertThrows(LeaseLostException.class,
                () -> manager.runExclusive("report", () -> {
                    otherHandle.set(acquireOnOtherThreadWhenFree("report"));
                    return "done";
                }, SHORT_TTL));

        assertEquals("report", e.key());
        assertTrue(otherHandle.get().isHeld());
        assertTrue(otherHandle.get().fenceToken() > e.fenceToken());
        assertTrue(e.getMessage(), e.getMessage().contains("before the body returned"));
    }

    @Test
    public void runExclusive_throwsAfterTtl_causeIsBodyError() {
        IllegalStateException bodyFailure = new IllegalStateException("write failed");

        LeaseLostException e = assertThrows(LeaseLostException.class,
                () -> manager.runExclusive("report", () -> {
                    acquireOnOtherThreadWhenFree("report");
                    throw bodyFailure;
                }, SHORT_TTL));

        assertSame(bodyFailure, e.getCause());
    }

    @Test
    public void runExclusive_bodyThrows_rethrows() {
        IllegalStateException bodyFailure = new IllegalStateException("write failed");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> manager.runExclusive("report", () -> {
                    throw bodyFailure;
                }, LONG_TTL));

        assertSame(bodyFailure, e);
        assertFalse(adapter.isLocked("shop:report"));
        assertEquals(0, timer.pendingTasks());
    }

    @Test
    public void runExclusive_bodyReturns_returnsResultAndReleases() throws Exception {
        String result = manager.runExclusive("report", () -> "done", LONG_TTL);

        assertEquals("done", result);
        assertFalse(adapter.isLocked("shop:report"));
        assertEquals(0L, (long) service.resourceCounts().get(LockService.HELD_RESOURCE));
    }

    @Test
    public void tryAcquire_keyHeldByOther_returnsEmpty() throws Exception {
        LockHandle heldHandle = manager.acquire("orders", LONG_TTL);

        Optional<LockHandle> attempt = onOtherThread(() -> otherManager.tryAcquire("orders", LONG_TTL));

        assertEquals(Optional.empty(), attempt);
        assertTrue(heldHandle.isHeld());
    }

    @Test
    public void tryAcquire_defaultTtl_leaseOfThirtySeconds() {
        Instant before = Instant.now();

        LockHandle handle = manager.tryAcquire("orders").orElseThrow();

        assertFalse(handle.expiresAt().isBefore(before.plus(LockManager.DEFAULT_TTL)));
        assertTrue(handle.expiresAt().isBefore(Instant.now().plus(LockManager.DEFAULT_TTL).plusSeconds(1)));
    }

    @Test
    public void acquire_releasedElsewhere_getsLargerFence() throws Exception {
        LockHandle first = manager.acquire("orders", LONG_TTL);
        Future<LockHandle> waiting = threads.submit(() -> otherManager.acquire("orders", LONG_TTL));

        threads.submit(first::release).get(10, TimeUnit.SECONDS);

        LockHandle second = waiting.get(10, TimeUnit.SECONDS);
        assertTrue(second.fenceToken() > first.fenceToken());
    }

    @Test
    public void acquire_interruptedWhileWaiting_throwsAndTakesNothing() throws Exception {
        LockHandle heldHandle = manager.acquire("orders", LONG_TTL);
        AtomicReference<Thread> waitingThread = new AtomicReference<>();
        Future<LockHandle> waiting = threads.submit(() -> {
            waitingThread.set(Thread.currentThread());
            return otherManager.acquire("orders", LONG_TTL);
        });
        await().until(() -> waitingThread.get() != null && waitingThread.get().getState() == Thread.State.WAITING);

        waitingThread.get().interrupt();

        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof InterruptedException);
        heldHandle.release();
        assertFalse(adapter.isLocked("shop:orders"));
        assertEquals(0, otherManager.heldCount());
    }

    @Test
    public void fenceTokens_successiveGrants_strictlyIncrease() throws Exception {
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            LockHandle handle = manager.acquire("orders", LONG_TTL);
            tokens.add(handle.fenceToken());
            handle.release();
        }
        LockHandle expiring = manager.acquire("orders", SHORT_TTL);
        tokens.add(expiring.fenceToken());
        await().atMost(Duration.ofSeconds(5)).until(() -> !adapter.isLocked("shop:orders"));
        tokens.add(onOtherThread(() -> otherManager.acquire("orders", LONG_TTL)).fenceToken());

        for (int i = 1; i < tokens.size(); i++) {
            assertTrue(tokens.toString(), tokens.get(i) > tokens.get(i - 1));
        }
    }

    @Test
    public void release_afterTtlExpired_throwsLeaseLost() throws Exception {
        LockHandle handle = manager.acquire("orders", SHORT_TTL);
        await().atMost(Duration.ofSeconds(5)).until(() -> !adapter.isLocked("shop:orders"));

        LeaseLostException e = assertThrows(LeaseLostException.class, handle::release);

        assertEquals(handle.fenceToken(), e.fenceToken());
        assertFalse(handle.isHeld());
        assertThrows(LeaseLostException.class, handle::release);
        assertEquals(0L, (long) service.resourceCounts().get(LockService.HELD_RESOURCE));
    }

    @Test
    public void release_twice_secondDoesNothing() throws Exception {
        LockHandle handle = manager.acquire("orders", LONG_TTL);
        handle.release();

        handle.release();

        assertFalse(handle.isHeld());
        assertFalse(adapter.isLocked("shop:orders"));
    }

    @Test
    public void close_inTryWithResources_releases() throws Exception {
        try (LockHandle handle = manager.acquire("orders", LONG_TTL)) {
            assertTrue(handle.isHeld());
        }

        assertFalse(adapter.isLocked("shop:orders"));
    }

    @Test
    public void release_cancelsExpiryTask() throws Exception {
        LockHandle handle = manager.acquire("orders", LONG_TTL);
        assertEquals(1, timer.pendingTasks());

        handle.release();

        assertEquals(0, timer.pendingTasks());
    }

    @Test
    public void acquire_reentrant_throwsIllegalState() throws Exception {
        LockHandle heldHandle = manager.acquire("orders", LONG_TTL);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> manager.acquire("orders", LONG_TTL));

        assertTrue(e.getMessage(), e.getMessage().contains("'orders'"));
        assertTrue(e.getMessage(), e.getMessage().contains("fence token " + heldHandle.fenceToken()));
    }

    @Test
    public void tryAcquire_reentrant_throwsIllegalState() throws Exception {
        manager.acquire("orders", LONG_TTL);

        assertThrows(IllegalStateException.class, () -> manager.tryAcquire("orders", LONG_TTL));
    }

    @Test
    public void runExclusive_nested_throwsIllegalState() {
        assertThrows(IllegalStateException.class, () -> manager.runExclusive("orders",
                () -> manager.runExclusive("orders", () -> "inner", LONG_TTL), LONG_TTL));

        assertFalse(adapter.isLocked("shop:orders"));
    }

    @Test
    public void acquire_reentrantOtherBundle_throwsIllegalState() throws Exception {
        manager.acquire("orders", LONG_TTL);

        assertThrows(IllegalStateException.class, () -> otherManager.acquire("orders", LONG_TTL));
    }

    @Test
    public void acquire_afterOwnRelease_grantsAgain() throws Exception {
        manager.acquire("orders", LONG_TTL).release();

        LockHandle again = manager.acquire("orders", LONG_TTL);

        assertTrue(again.isHeld());
    }

    @Test
    public void deactivate_bundleHoldsLocks_releasesAll() throws Exception {
        List<LockHandle> handles = List.of(manager.acquire("a", LONG_TTL), manager.acquire("b", LONG_TTL),
                manager.acquire("c", LONG_TTL));
        LockHandle others = otherManager.acquire("d", LONG_TTL);

        manager.deactivate();

        for (LockHandle handle : handles) {
            assertFalse(handle.isHeld());
            assertFalse(adapter.isLocked("shop:" + handle.key()));
            handle.release();
        }
        assertTrue(others.isHeld());
        assertEquals(1L, (long) service.resourceCounts().get(LockService.HELD_RESOURCE));
        assertEquals(1, timer.pendingTasks());
    }

    @Test
    public void tryAcquire_afterDeactivate_throwsIllegalState() {
        manager.deactivate();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> manager.tryAcquire("orders"));

        assertTrue(e.getMessage(), e.getMessage().contains("plugin.a [7]"));
        assertFalse(adapter.isLocked("shop:orders"));
        assertEquals(0, timer.pendingTasks());
    }

    @Test
    public void resourceCounts_heldLeases_counted() throws Exception {
        manager.acquire("a", LONG_TTL);
        otherManager.acquire("b", LONG_TTL);

        Map<String, Long> counts = service.resourceCounts();

        assertEquals(Map.of("lock.held", 2L), counts);
    }

    @Test
    public void acquire_invalidTtlOrKey_throwsNamingValue() {
        Object[][] cases = {
            {"orders", Duration.ZERO, "PT0S"},
            {"orders", Duration.ofSeconds(-1), "PT-1S"},
            {"orders", LockManager.MAX_TTL.plusNanos(1), "PT24H0.000000001S"},
            {"orders", null, "ttl for lock key 'orders' is null"},
            {"", LONG_TTL, "lock key '' has 0 characters"},
            {"a b", LONG_TTL, "lock key 'a b'"},
            {"k".repeat(201), LONG_TTL, "201 characters"},
            {null, LONG_TTL, "lock key is null"},
        };
        for (Object[] c : cases) {
            String key = (String) c[0];
            Duration ttl = (Duration) c[1];

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> manager.acquire(key, ttl));

            assertTrue(e.getMessage(), e.getMessage().contains((String) c[2]));
            assertThrows(IllegalArgumentException.class, () -> manager.tryAcquire(key, ttl));
            assertThrows(IllegalArgumentException.class, () -> manager.runExclusive(key, () -> 1, ttl));
        }
        assertEquals(0L, (long) service.resourceCounts().get(LockService.HELD_RESOURCE));
    }

    @Test
    public void acquire_maxTtl_accepted() throws Exception {
        LockHandle handle = manager.acquire("orders", LockManager.MAX_TTL);

        assertTrue(handle.isHeld());
    }

    @Test
    public void acquire_adapterMissing_throwsIllegalState() {
        LockService misconfigured = new LockService(settings("hazelcast"), new ManualLeaseTimer());
        misconfigured.addAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        LockManager view = new BundleLockManager(misconfigured, "plugin.c [9]");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> view.acquire("orders", LONG_TTL));

        assertTrue(e.getMessage(), e.getMessage().contains("'hazelcast'"));
        assertTrue(e.getMessage(), e.getMessage().contains("[memory]"));
    }

    /** Waits on another thread until the key is free, takes it there for a long ttl, and returns the handle. */
    private LockHandle acquireOnOtherThreadWhenFree(String key) throws Exception {
        return onOtherThread(() -> {
            AtomicReference<LockHandle> handle = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                otherManager.tryAcquire(key, LONG_TTL).ifPresent(handle::set);
                return handle.get() != null;
            });
            return handle.get();
        });
    }

    private <T> T onOtherThread(Callable<T> call) throws Exception {
        return threads.submit(call).get(20, TimeUnit.SECONDS);
    }

    static NodeSettings settings(String lockAdapter) {
        return new NodeSettings("shop", "node-1", Path.of("target"), "memory", "memory", "memory", lockAdapter,
                Duration.ofSeconds(10));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
