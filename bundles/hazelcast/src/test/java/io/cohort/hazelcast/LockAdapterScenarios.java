package io.cohort.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.hazelcast.map.IMap;

import org.junit.AfterClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * Lock scenarios that run in each CP mode. Each subclass starts three members in its mode, and the cluster outlives
 * the tests of one class, so every test uses its own key.
 */
public abstract class LockAdapterScenarios {

    protected static TestCluster cluster;
    private static List<HazelcastLockAdapter> adapters;

    @Rule
    public Timeout timeout = Timeout.seconds(90);

    @Rule
    public TestName testName = new TestName();

    /** Starts the cluster of a subclass and one adapter per member. */
    protected static void start(String name, int basePort, Map<String, Object> settings) {
        cluster = TestCluster.start(name, basePort, 3, settings);
        adapters = new ArrayList<>();
        for (HazelcastMember member : cluster.members()) {
            adapters.add(new HazelcastLockAdapter(member.instance(), member.settings()));
        }
    }

    /** Returns the {@link HazelcastLockAdapter#mode()} the subclass's cluster reports. */
    protected abstract String expectedMode();

    @AfterClass
    public static void stopCluster() {
        if (adapters != null) {
            adapters.forEach(HazelcastLockAdapter::deactivate);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void lock_onThreeMembers_excludesEachOther() throws Exception {
        String key = key();
        IMap<String, Integer> counter = cluster.member(0).instance().getMap("test-counter-" + key);
        counter.set("n", 0);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(3);

        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int member = 0; member < 3; member++) {
                HazelcastLockAdapter adapter = adapter(member);
                IMap<String, Integer> view = cluster.member(member).instance().getMap("test-counter-" + key);
                runs.add(workers.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        long token = adapter.lock(key);
                        if (inside.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        view.set("n", view.get("n") + 1);
                        inside.decrementAndGet();
                        assertTrue(adapter.unlock(key, token));
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(80, TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }

        assertEquals(0, overlaps.get());
        assertEquals(Integer.valueOf(600), counter.get("n"));
        assertFalse(adapter(1).isLocked(key));
    }

    @Test
    public void fenceTokens_ofLaterGrants_grow() throws InterruptedException {
        String key = key();
        long previous = Long.MIN_VALUE;

        for (int round = 0; round < 6; round++) {
            HazelcastLockAdapter adapter = adapter(round % 3);
            long token = adapter.lock(key);
            assertTrue("token " + token + " after " + previous, token > previous);
            assertTrue(adapter.unlock(key, token));
            previous = token;
        }
    }

    @Test
    public void unlock_fromAnotherThread_releasesTheKey() throws Exception {
        String key = key();
        long token = adapter(0).lock(key);

        boolean released = CompletableFuture.supplyAsync(() -> adapter(0).unlock(key, token)).get(10,
                TimeUnit.SECONDS);

        assertTrue(released);
        assertFalse(adapter(1).isLocked(key));
        assertTrue(adapter(2).tryLock(key, Duration.ZERO).isPresent());
    }

    @Test
    public void tryLock_whileHeld_returnsEmpty() throws InterruptedException {
        String key = key();
        long token = adapter(0).lock(key);

        long start = System.nanoTime();
        OptionalLong waited = adapter(1).tryLock(key, Duration.ofMillis(700));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(OptionalLong.empty(), adapter(1).tryLock(key, Duration.ZERO));
        assertEquals(OptionalLong.empty(), waited);
        assertTrue("waited " + waitedMillis + " ms", waitedMillis >= 600);
        assertTrue(adapter(2).isLocked(key));
        assertTrue(adapter(0).unlock(key, token));
        assertTrue(adapter(1).tryLock(key, Duration.ofSeconds(5)).isPresent());
    }

    @Test
    public void tryLock_onHoldingNode_notReentrant() throws InterruptedException {
        String key = key();
        OptionalLong first = adapter(0).tryLock(key, Duration.ZERO);

        OptionalLong second = adapter(0).tryLock(key, Duration.ZERO);

        assertTrue(first.isPresent());
        assertEquals(OptionalLong.empty(), second);
        assertTrue(adapter(0).unlock(key, first.getAsLong()));
    }

    @Test
    public void unlock_withAnotherToken_keepsTheGrant() throws InterruptedException {
        String key = key();
        long token = adapter(0).lock(key);

        assertFalse(adapter(0).unlock(key, token + 1));
        assertFalse(adapter(1).unlock(key, token));

        assertTrue(adapter(2).isLocked(key));
        assertTrue(adapter(0).unlock(key, token));
        assertFalse(adapter(0).unlock(key, token));
    }

    @Test
    public void lock_interruptedWhileWaiting_grantsNothing() throws Exception {
        String key = key();
        long token = adapter(0).lock(key);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                adapter(1).lock(key);
                outcome.set(new AssertionError("lock returned although interrupted"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "test-lock-waiter");
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.WAITING);

        waiter.interrupt();
        waiter.join(5_000);
        assertTrue(adapter(0).unlock(key, token));

        assertTrue(String.valueOf(outcome.get()), outcome.get() instanceof InterruptedException);
        await().atMost(Duration.ofSeconds(5)).until(() -> !adapter(2).isLocked(key));
        assertTrue(adapter(2).tryLock(key, Duration.ofSeconds(5)).isPresent());
    }

    @Test
    public void lock_ofKilledHolder_freesAfterSessionTtl() throws InterruptedException {
        String key = key();
        HazelcastMember doomed = cluster.addMember();
        HazelcastLockAdapter onDoomed = new HazelcastLockAdapter(doomed.instance(), doomed.settings());
        onDoomed.lock(key);

        cluster.kill(doomed);

        assertTrue(adapter(0).isLocked(key));
        OptionalLong token = adapter(0).tryLock(key, Duration.ofSeconds(30));
        assertTrue(token.isPresent());
        assertTrue(adapter(0).unlock(key, token.getAsLong()));
    }

    @Test
    public void lock_manyKeys_boundsCachedProxies() throws InterruptedException {
        HazelcastMember member = cluster.member(0);
        HazelcastLockAdapter bounded = new HazelcastLockAdapter(member.instance(), member.settings(), 4);
        try {
            for (int i = 0; i < 10; i++) {
                String key = key() + "-" + i;
                long token = bounded.lock(key);
                assertTrue(bounded.unlock(key, token));
            }

            assertEquals(4, bounded.cachedProxies());
            String first = key() + "-0";
            long token = bounded.lock(first);
            assertTrue(adapter(1).isLocked(first));
            assertTrue(bounded.unlock(first, token));
            assertFalse(adapter(2).isLocked(first));
        } finally {
            bounded.deactivate();
        }
    }

    @Test
    public void lock_sameKeyTwice_reusesProxy() throws InterruptedException {
        String key = key();
        long first = adapter(0).lock(key);
        assertTrue(adapter(0).unlock(key, first));
        int cached = adapter(0).cachedProxies();

        long second = adapter(0).lock(key);

        assertEquals(cached, adapter(0).cachedProxies());
        assertTrue("fence tokens grow: " + first + " then " + second, second > first);
        assertTrue(adapter(0).unlock(key, second));
    }

    @Test
    public void lock_freeKeys_startsNoThread() throws InterruptedException {
        HazelcastMember member = cluster.member(0);
        HazelcastLockAdapter fresh = new HazelcastLockAdapter(member.instance(), member.settings());
        try {
            List<Long> tokens = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                tokens.add(fresh.lock(key() + "-" + i));
            }
            assertEquals(0, fresh.startedWaiters());

            OptionalLong second = fresh.tryLock(key() + "-0", Duration.ofMillis(200));

            assertEquals(OptionalLong.empty(), second);
            assertEquals(1, fresh.startedWaiters());
            for (int i = 0; i < 5; i++) {
                assertTrue(fresh.unlock(key() + "-" + i, tokens.get(i)));
            }
        } finally {
            fresh.deactivate();
        }
    }

    @Test
    public void lock_repeated_reusesOwnerIds() throws InterruptedException {
        String key = key();
        Set<Long> ownerIds = new HashSet<>();

        for (int round = 0; round < 20; round++) {
            long token = adapter(0).lock(key);
            ownerIds.add(adapter(0).ownerIdOf(key));
            assertTrue(adapter(0).unlock(key, token));
        }

        assertTrue("owner ids " + ownerIds, ownerIds.size() < 5);
        assertFalse(ownerIds.contains(0L));
    }

    @Test
    public void isGranted_afterUnlock_false() throws InterruptedException {
        String key = key();
        long token = adapter(0).lock(key);
        assertTrue(adapter(0).isGranted(key, token));
        assertFalse(adapter(0).isGranted(key, token + 1));
        assertFalse(adapter(1).isGranted(key, token));

        assertTrue(adapter(0).unlock(key, token));

        assertFalse(adapter(0).isGranted(key, token));
    }

    @Test
    public void lock_interruptedBefore_grantsNothing() {
        String key = key();
        Thread.currentThread().interrupt();

        assertThrows(InterruptedException.class, () -> adapter(0).lock(key));

        assertFalse(Thread.currentThread().isInterrupted());
        assertFalse(adapter(1).isLocked(key));
    }

    @Test
    public void mode_namesTheCpMemberCount() {
        assertEquals(expectedMode(), adapter(0).mode());
    }

    protected static HazelcastLockAdapter adapter(int member) {
        return adapters.get(member);
    }

    protected String key() {
        return "test:" + testName.getMethodName();
    }

}
