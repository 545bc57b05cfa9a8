package io.cohort.core.lock;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.cohort.api.lock.LeaseLostException;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.MemoryLockAdapter;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Drives one lease through every ordering of release, clock passing the deadline, timer firing and a request from
 * another holder, on a manual clock and timer, and checks the handle, the adapter and the lease table after each step.
 */
public class LockLeaseOrderingTest {

    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration OTHER_TTL = Duration.ofHours(1);
    private static final String KEY = "orders";
    private static final String FULL_KEY = "shop:orders";

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    private final ExecutorService otherThread = Executors.newSingleThreadExecutor();
    private ManualLeaseTimer timer;
    private MemoryLockAdapter adapter;
    private LockService service;
    private BundleLockManager manager;
    private BundleLockManager otherManager;

    /** One step of a scenario. */
    enum Step { PASS_DEADLINE, FIRE_TIMER, RELEASE, OTHER_TRY_ACQUIRE }

    @Before
    public void startService() {
        startFreshService();
    }

    @After
    public void stopService() {
        otherThread.shutdownNow();
        service.deactivate();
    }

    @Test
    public void release_everyExpiryOrdering_staysConsistent() throws Exception {
        List<List<Step>> orderings = permutations(new ArrayList<>(EnumSet.allOf(Step.class)));
        assertEquals(24, orderings.size());

        for (List<Step> ordering : orderings) {
            service.deactivate();
            startFreshService();
            runScenario(ordering);
        }
    }

    @Test
    public void release_racingTimerExpiry_exactlyOneWins() throws Exception {
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 300; round++) {
                Lease lease = (Lease) manager.acquire(KEY, TTL);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Boolean> released = racers.submit(() -> {
                    start.await();
                    try {
                        lease.release();
                        return true;
                    } catch (LeaseLostException e) {
                        return false;
                    }
                });
                Future<Boolean> expired = racers.submit(() -> {
                    start.await();
                    return lease.expire();
                });

                boolean releaseWon = released.get(10, TimeUnit.SECONDS);
                boolean expiryWon = expired.get(10, TimeUnit.SECONDS);

                String roundName = "round " + round;
                assertNotEquals(roundName, releaseWon, expiryWon);
                assertEquals(roundName, releaseWon ? Lease.State.RELEASED : Lease.State.EXPIRED, lease.state());
                assertFalse(roundName, lease.isHeld());
                assertFalse(roundName, adapter.isLocked(FULL_KEY));
                assertEquals(roundName, 0L, heldCount());
                assertEquals(roundName, 0, timer.pendingTasks());
            }
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    public void runExclusive_expiryInBody_throwsLeaseLost() {
        LeaseLostException e = assertThrows(LeaseLostException.class, () -> manager.runExclusive(KEY, () -> {
            timer.advance(TTL);
            timer.runDueTasks();
            return "done";
        }, TTL));

        assertEquals(KEY, e.key());
        assertFalse(adapter.isLocked(FULL_KEY));
        assertEquals(0L, heldCount());
    }

    @Test
    public void runExclusive_deadlineInBody_throwsLeaseLost() {
        assertThrows(LeaseLostException.class, () -> manager.runExclusive(KEY, () -> {
            timer.advance(TTL);
            return "done";
        }, TTL));

        assertFalse(adapter.isLocked(FULL_KEY));
        assertEquals(0, timer.pendingTasks());
    }

    @Test
    public void runExclusive_endsBeforeDeadline_returnsResult() throws Exception {
        String result = manager.runExclusive(KEY, () -> {
            timer.advance(TTL.minusNanos(1));
            return "done";
        }, TTL);

        assertEquals("done", result);
        assertFalse(adapter.isLocked(FULL_KEY));
    }

    private void runScenario(List<Step> ordering) throws Exception {
        LockHandle handle = manager.acquire(KEY, TTL);
        boolean deadlinePassed = false;
        boolean released = false;
        boolean releaseWasGood = false;
        boolean firstGrantInAdapter = true;
        LockHandle other = null;

        for (Step step : ordering) {
            String at = ordering + " at " + step;
            switch (step) {
                case PASS_DEADLINE -> {
                    timer.advance(TTL);
                    deadlinePassed = true;
                }
                case FIRE_TIMER -> {
                    timer.runDueTasks();
                    if (deadlinePassed) {
                        firstGrantInAdapter = false;
                    }
                }
                case RELEASE -> {
                    releaseWasGood = releaseReportsSuccess(handle);
                    assertEquals(at, !deadlinePassed, releaseWasGood);
                    released = true;
                    firstGrantInAdapter = false;
                }
                case OTHER_TRY_ACQUIRE -> {
                    Optional<LockHandle> attempt = onOtherThread(() -> otherManager.tryAcquire(KEY, OTHER_TTL));
                    assertEquals(at, released || deadlinePassed, attempt.isPresent());
                    if (deadlinePassed) {
                        firstGrantInAdapter = false;
                    }
                    if (attempt.isPresent()) {
                        other = attempt.get();
                        assertTrue(at, other.fenceToken() > handle.fenceToken());
                    }
                }
                default -> throw new AssertionError(step);
            }

            boolean otherHolds = other != null;
            assertEquals(at, !released && !deadlinePassed, handle.isHeld());
            assertEquals(at, firstGrantInAdapter || otherHolds, adapter.isLocked(FULL_KEY));
            assertEquals(at, (firstGrantInAdapter ? 1L : 0L) + (otherHolds ? 1L : 0L), heldCount());
            assertEquals(at, (firstGrantInAdapter ? 1 : 0) + (otherHolds ? 1 : 0), timer.pendingTasks());
        }

        String end = ordering + " at end";
        if (releaseWasGood) {
            handle.release();
        } else {
            assertThrows(end, LeaseLostException.class, handle::release);
        }
        assertFalse(end, handle.isHeld());
        if (other != null) {
            LockHandle second = other;
            onOtherThread(() -> {
                second.release();
                return null;
            });
        }
        assertFalse(end, adapter.isLocked(FULL_KEY));
        assertEquals(end, 0L, heldCount());
        assertEquals(end, 0, timer.pendingTasks());
    }

    private static boolean releaseReportsSuccess(LockHandle handle) {
        try {
            handle.release();
            return true;
        } catch (LeaseLostException e) {
            return false;
        }
    }

    private void startFreshService() {
        timer = new ManualLeaseTimer();
        adapter = new MemoryLockAdapter();
        service = new LockService(LockManagerTest.settings("memory"), timer);
        service.addAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        manager = new BundleLockManager(service, "plugin.a [7]");
        otherManager = new BundleLockManager(service, "plugin.b [8]");
    }

    private long heldCount() {
        return service.resourceCounts().get(LockService.HELD_RESOURCE);
    }

    private <T> T onOtherThread(Callable<T> call) throws Exception {
        return otherThread.submit(call).get(10, TimeUnit.SECONDS);
    }

    private static List<List<Step>> permutations(List<Step> steps) {
        if (steps.isEmpty()) {
            List<List<Step>> single = new ArrayList<>();
            single.add(new ArrayList<>());
            return single;
        }
        List<List<Step>> result = new ArrayList<>();
        for (Step first : steps) {
            List<Step> rest = new ArrayList<>(steps);
            rest.remove(first);
            for (List<Step> tail : permutations(rest)) {
                tail.add(0, first);
                result.add(tail);
            }
        }
        return result;
    }
}
