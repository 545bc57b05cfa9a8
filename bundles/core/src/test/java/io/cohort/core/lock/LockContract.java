package io.cohort.core.lock;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import io.cohort.api.lock.LeaseLostException;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.LockAdapter;
import io.cohort.core.node.NodeSettings;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * What the lock manager promises for lease extension, renewal, waiting {@code tryAcquire} and application scoping,
 * written once and run by one subclass per lock adapter kind. Node {@code i} is a lock service with its own lease
 * timer on {@link #adapter(int)}.
 */
public abstract class LockContract {

    private static final Duration LONG_TTL = Duration.ofMinutes(5);
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    @Rule
    public Timeout timeout = Timeout.seconds(180);

    @Rule
    public TestName testName = new TestName();

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<LockService> services = new ArrayList<>();
    private final List<ExecutorLeaseTimer> timers = new ArrayList<>();
    private final AtomicInteger lost = new AtomicInteger();

    /** Returns the lock adapter of node {@code node}, 0 to 2. */
    protected abstract LockAdapter adapter(int node);

    /** Returns the name the adapters are registered under. */
    protected abstract String adapterName();

    @After
    public void stopServices() {
        threads.shutdownNow();
        services.forEach(LockService::deactivate);
    }

    @Test
    public void extend_heldLease_movesItsEndAndKeepsTheKey() throws Exception {
        String key = key();
        BundleLockManager first = manager(0, "shop");
        LockHandle handle = first.acquire(key, Duration.ofSeconds(1));
        Instant before = handle.expiresAt();

        handle.extend(Duration.ofMinutes(1));

        assertTrue(handle.expiresAt().isAfter(before.plusSeconds(30)));
        assertEquals(Optional.empty(), manager(1, "shop").tryAcquire(key, LONG_TTL, Duration.ofMillis(1500)));
        assertTrue(handle.isHeld());
        handle.release();
    }

    @Test
    public void extend_shorterTtl_endsTheLeaseSooner() throws Exception {
        String key = key();
        LockHandle handle = manager(0, "shop").acquire(key, LONG_TTL);

        handle.extend(Duration.ofMillis(200));

        await().atMost(Duration.ofSeconds(10)).until(() -> !handle.isHeld());
        assertTrue(manager(1, "shop").tryAcquire(key, LONG_TTL, Duration.ofSeconds(10)).isPresent());
        assertThrows(LeaseLostException.class, handle::release);
    }

    @Test
    public void extend_expiredOrReleasedOrInvalid_throws() throws Exception {
        BundleLockManager manager = manager(0, "shop");
        LockHandle expired = manager.acquire(key(), Duration.ofMillis(50));
        LockHandle released = manager.acquire(key(), LONG_TTL);
        released.release();
        LockHandle held = manager.acquire(key(), LONG_TTL);

        await().atMost(Duration.ofSeconds(10)).until(() -> !expired.isHeld());
        assertThrows(LeaseLostException.class, () -> expired.extend(LONG_TTL));
        assertThrows(IllegalStateException.class, () -> released.extend(LONG_TTL));
        assertThrows(IllegalArgumentException.class, () -> held.extend(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> held.extend(Duration.ofHours(25)));
        assertTrue(held.isHeld());
    }

    @Test
    public void runExclusive_withRenewal_bodyOutlastsTtlAndKeepsTheKey() throws Exception {
        String key = key();
        BundleLockManager other = manager(1, "shop");

        String result = manager(0, "shop").runExclusive(key, () -> {
            Optional<LockHandle> stolen = other.tryAcquire(key, LONG_TTL, Duration.ofMillis(3500));
            return stolen.isPresent() ? "stolen" : "kept";
        }, Duration.ofSeconds(1), Duration.ofMinutes(1));

        assertEquals("kept", result);
        assertTrue(other.tryAcquire(key, LONG_TTL).isPresent());
    }

    @Test
    public void runExclusive_bodyPastMaxHold_leaseLost() {
        String key = key();
        BundleLockManager other = manager(1, "shop");

        LeaseLostException lost = assertThrows(LeaseLostException.class, () -> manager(0, "shop").runExclusive(key,
                () -> {
                    await().atMost(Duration.ofSeconds(20)).until(() -> other.tryAcquire(key, LONG_TTL).isPresent());
                    return "done";
                }, Duration.ofMillis(200), Duration.ofMillis(600)));

        assertEquals(key, lost.key());
        assertTrue(lost.getMessage(), lost.getMessage().contains("maximum hold of PT0.6S (ttl PT0.2S)"));
    }

    @Test
    public void runExclusive_invalidMaxHold_throws() {
        BundleLockManager manager = manager(0, "shop");

        assertThrows(IllegalArgumentException.class,
                () -> manager.runExclusive(key(), () -> 1, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> manager.runExclusive(key(), () -> 1, Duration.ofSeconds(2), null));
        assertThrows(IllegalArgumentException.class,
                () -> manager.runExclusive(key(), () -> 1, Duration.ofSeconds(2), Duration.ofHours(25)));
    }

    /**
     * Quick cycles with a ttl short enough that many of them renew, some bodies interrupted, some acquisitions
     * interrupted, and half of the cycles releasing a handle whose renewal the test started. Afterwards no lease may
     * have been renewed after its release, and the timer must hold no task.
     */
    @Test
    public void renewal_tenThousandCyclesWithInterrupts_neverOutlivesTheRelease() throws Exception {
        LockService service = service(0, "shop");
        BundleLockManager manager = new BundleLockManager(service, "plugin.a [7]");
        Duration ttl = Duration.ofMillis(15);
        String key = key();
        List<Lease> released = new ArrayList<>();
        List<Integer> renewalsAtRelease = new ArrayList<>();
        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger renewed = new AtomicInteger();

        for (int cycle = 0; cycle < 10_000; cycle++) {
            boolean slow = cycle % 100 < 2;
            boolean interrupt = cycle % 7 == 0;
            if (cycle % 13 == 0) {
                Thread.currentThread().interrupt();
                try {
                    releaseAllowingLoss(manager.acquire(key, ttl));
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                }
                Thread.interrupted();
            } else if (cycle % 2 == 0) {
                try {
                    manager.runExclusive(key, () -> body(slow, interrupt), ttl, Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                } catch (LeaseLostException e) {
                    // A timer thread delayed past the deadline on a busy machine loses the lease; not checked here.
                    lost.incrementAndGet();
                }
            } else {
                Lease lease = (Lease) manager.acquire(key, ttl);
                lease.startRenewal(ttl, Duration.ofSeconds(5));
                try {
                    body(slow, interrupt);
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                }
                releaseAllowingLoss(lease);
                renewed.addAndGet(lease.renewals());
                released.add(lease);
                renewalsAtRelease.add(lease.renewals());
            }
            Thread.interrupted();
        }

        assertTrue("no cycle was interrupted", interrupted.get() > 0);
        assertTrue("no lease was renewed", renewed.get() > 0);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> noRenewalAfterRelease(
                released, renewalsAtRelease) && timer(0).pendingTasks() == 0);
        assertEquals(List.of(), service.heldLeases());
    }

    @Test
    public void tryAcquire_keyHeldPastTheWait_returnsEmpty() throws Exception {
        String key = key();
        LockHandle held = manager(0, "shop").acquire(key, LONG_TTL);
        long started = System.nanoTime();

        Optional<LockHandle> late = manager(1, "shop").tryAcquire(key, LONG_TTL, Duration.ofMillis(300));

        assertEquals(Optional.empty(), late);
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(300).toNanos());
        assertTrue(held.isHeld());
    }

    @Test
    public void tryAcquire_keyReleasedWithinTheWait_takesIt() throws Exception {
        String key = key();
        LockHandle held = manager(0, "shop").acquire(key, LONG_TTL);
        BundleLockManager other = manager(1, "shop");
        CountDownLatch waiting = new CountDownLatch(1);

        Future<Optional<LockHandle>> waiter = threads.submit(() -> {
            waiting.countDown();
            return other.tryAcquire(key, LONG_TTL, Duration.ofSeconds(30));
        });
        waiting.await();
        held.release();

        LockHandle taken = waiter.get().orElseThrow();
        assertTrue(taken.fenceToken() > held.fenceToken());
    }

    @Test
    public void tryAcquire_invalidWait_throws() {
        BundleLockManager manager = manager(0, "shop");

        assertThrows(IllegalArgumentException.class, () -> manager.tryAcquire(key(), LONG_TTL, null));
        assertThrows(IllegalArgumentException.class, () -> manager.tryAcquire(key(), LONG_TTL, Duration.ofMillis(-1)));
    }

    @Test
    public void tryAcquire_twoNodesAtOnce_exactlyOneWins() throws Exception {
        String key = key();
        int rounds = 200;
        List<BundleLockManager> managers = List.of(manager(0, "shop"), manager(1, "shop"));
        CyclicBarrier start = new CyclicBarrier(2);
        CyclicBarrier decided = new CyclicBarrier(2);
        CyclicBarrier released = new CyclicBarrier(2);
        AtomicIntegerArray winners = new AtomicIntegerArray(rounds);

        List<Future<?>> contenders = new ArrayList<>();
        for (BundleLockManager manager : managers) {
            contenders.add(threads.submit(() -> {
                for (int round = 0; round < rounds; round++) {
                    start.await();
                    Optional<LockHandle> won = manager.tryAcquire(key, LONG_TTL, Duration.ofMillis(20));
                    if (won.isPresent()) {
                        winners.incrementAndGet(round);
                    }
                    decided.await();
                    if (won.isPresent()) {
                        won.get().release();
                    }
                    released.await();
                }
                return null;
            }));
        }
        for (Future<?> contender : contenders) {
            contender.get();
        }

        for (int round = 0; round < rounds; round++) {
            assertEquals("winners of round " + round, 1, winners.get(round));
        }
    }

    @Test
    public void locks_sameKeyInTwoApplications_heldApart() throws Exception {
        String key = key();
        LockHandle shop = manager(0, "shop").acquire(key, LONG_TTL);

        Optional<LockHandle> books = manager(1, "books").tryAcquire(key, LONG_TTL, Duration.ZERO);

        assertTrue(books.isPresent());
        assertTrue(shop.isHeld());
        assertFalse(manager(2, "shop").tryAcquire(key, LONG_TTL).isPresent());
    }

    private void releaseAllowingLoss(LockHandle handle) {
        try {
            handle.release();
        } catch (LeaseLostException e) {
            lost.incrementAndGet();
        }
    }

    private static Object body(boolean slow, boolean interrupt) throws InterruptedException {
        if (interrupt) {
            Thread.currentThread().interrupt();
        }
        if (slow) {
            Thread.sleep(25);
        } else if (interrupt || ThreadLocalRandom.current().nextInt(50) == 0) {
            Thread.sleep(0, 1);
        }
        return null;
    }

    private static boolean noRenewalAfterRelease(List<Lease> released, List<Integer> renewalsAtRelease) {
        for (int i = 0; i < released.size(); i++) {
            if (released.get(i).renewals() != renewalsAtRelease.get(i)) {
                return false;
            }
        }
        return true;
    }

    private BundleLockManager manager(int node, String app) {
        return new BundleLockManager(service(node, app), "plugin [" + node + "]");
    }

    private LockService service(int node, String app) {
        ExecutorLeaseTimer timer = new ExecutorLeaseTimer();
        LockService service = new LockService(new NodeSettings(app, "node-" + node, Path.of("target"),
                Adapters.MEMORY, Adapters.MEMORY, Adapters.MEMORY, adapterName(), Duration.ofSeconds(10)), timer);
        service.addAdapter(adapter(node), Map.of(Adapters.NAME_PROPERTY, adapterName()));
        services.add(service);
        timers.add(timer);
        return service;
    }

    private ExecutorLeaseTimer timer(int index) {
        return timers.get(index);
    }

    private String key() {
        return "lock-" + testName.getMethodName().replace('_', '-') + "-" + UNIQUE.incrementAndGet();
    }
}
