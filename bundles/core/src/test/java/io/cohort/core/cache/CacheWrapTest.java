package io.cohort.core.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
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
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.cache.CacheLoader;
import io.cohort.api.cache.CacheLoaderException;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.cache.WrapCondition;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.MemoryCacheStore;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class CacheWrapTest {

    private static final int CALLERS = 16;
    private static final String KEY = "report";

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    private final ExecutorService threads = Executors.newFixedThreadPool(CALLERS);
    private final AtomicInteger loaderRuns = new AtomicInteger();
    private RegionCache cache;

    public record Report(String title, int rows) {
    }

    @Before
    public void createCache() {
        CacheService service = new CacheService(CacheManagerTest.settings("memory"));
        service.addStore(new MemoryCacheStore(), Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        cache = (RegionCache) service.createCache(CacheOptions.builder("reports").build());
    }

    @After
    public void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    public void wrap_miss_loadsAndStores() {
        Report report = cache.wrap(KEY, Report.class, countingLoader(new Report("q1", 3)));

        assertEquals(new Report("q1", 3), report);
        assertEquals(Optional.of(new Report("q1", 3)), cache.get(KEY, Report.class));
    }

    @Test
    public void wrap_hit_doesNotRunLoader() {
        cache.set(KEY, new Report("stored", 1));

        Report report = cache.wrap(KEY, Report.class, countingLoader(new Report("loaded", 2)));

        assertEquals(new Report("stored", 1), report);
        assertEquals(0, loaderRuns.get());
    }

    @Test
    public void wrap_sixteenCallersMissTogether_loaderRunsOnce() throws Exception {
        CacheLoader<Report> loader = loaderAfterAllWait(() -> new Report("q1", 3));

        List<Object> results = callTogether(() -> cache.wrap(KEY, Report.class, loader));

        assertEquals(1, loaderRuns.get());
        for (Object result : results) {
            assertEquals(new Report("q1", 3), result);
        }
        assertEquals(Optional.of(new Report("q1", 3)), cache.get(KEY, Report.class));
        assertEquals(1, cache.counters().loads());
    }

    @Test
    public void wrap_loaderThrows_allGetSameCause() throws Exception {
        IllegalStateException failure = new IllegalStateException("database down");
        CacheLoader<Report> loader = loaderAfterAllWait(() -> {
            throw failure;
        });

        List<Object> results = callTogether(() -> cache.wrap(KEY, Report.class, loader));

        assertEquals(1, loaderRuns.get());
        for (Object result : results) {
            assertTrue(String.valueOf(result), result instanceof CacheLoaderException);
            assertSame(failure, ((CacheLoaderException) result).getCause());
        }
        assertEquals(Optional.empty(), cache.get(KEY, Report.class));
        assertEquals(1, cache.counters().loadFailures());
    }

    @Test
    public void wrap_afterFailure_loadsAgain() {
        assertThrows(CacheLoaderException.class, () -> cache.wrap(KEY, Report.class, () -> {
            throw new IllegalStateException("database down");
        }));

        Report report = cache.wrap(KEY, Report.class, countingLoader(new Report("q1", 3)));

        assertEquals(new Report("q1", 3), report);
        assertEquals(1, loaderRuns.get());
    }

    @Test
    public void wrap_loaderReturnsNull_allGetNull() throws Exception {
        CacheLoader<Report> loader = loaderAfterAllWait(() -> null);

        List<Object> results = callTogether(() -> cache.wrap(KEY, Report.class, loader));

        assertEquals(1, loaderRuns.get());
        for (Object result : results) {
            assertNull(result);
        }
        assertEquals(Optional.empty(), cache.get(KEY, Report.class));
    }

    @Test
    public void wrap_afterNull_loadsAgain() {
        cache.wrap(KEY, Report.class, () -> null);

        Report report = cache.wrap(KEY, Report.class, countingLoader(new Report("q1", 3)));

        assertEquals(new Report("q1", 3), report);
        assertEquals(1, loaderRuns.get());
    }

    @Test
    public void wrap_unwritableValue_throwsLoaderException() {
        CacheLoaderException e = assertThrows(CacheLoaderException.class,
                () -> cache.wrap(KEY, Object.class, CacheInputValidationTest.SelfReference::new));

        assertTrue(e.getCause() instanceof IllegalArgumentException);
        assertEquals(Optional.empty(), cache.get(KEY, Object.class));
    }

    @Test
    public void wrap_loaderWrapsSameKey_fails() {
        CacheLoaderException e = assertThrows(CacheLoaderException.class,
                () -> cache.wrap(KEY, String.class, () -> cache.wrap(KEY, String.class, () -> "inner")));

        assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof IllegalStateException);
        assertEquals(Optional.empty(), cache.get(KEY, String.class));
    }

    @Test
    public void wrap_withTtl_loadedValueExpires() {
        cache.wrap(KEY, Report.class, () -> new Report("q1", 3), Duration.ofMillis(100));

        await().atMost(Duration.ofSeconds(5)).until(() -> cache.get(KEY, Report.class).isEmpty());
    }

    @Test
    public void wrapWithCondition_useCacheFalse_bypassesCache() {
        cache.set(KEY, new Report("stored", 1));
        WrapCondition<Report> bypass = new WrapCondition<>(() -> false, value -> true);

        Report report = cache.wrapWithCondition(KEY, Report.class, countingLoader(new Report("fresh", 2)), bypass);

        assertEquals(new Report("fresh", 2), report);
        assertEquals(1, loaderRuns.get());
        assertEquals(Optional.of(new Report("stored", 1)), cache.get(KEY, Report.class));
    }

    @Test
    public void wrapWithCondition_bypassOnMiss_storesNothing() {
        WrapCondition<Report> bypass = new WrapCondition<>(() -> false, value -> true);

        cache.wrapWithCondition(KEY, Report.class, countingLoader(new Report("fresh", 2)), bypass);

        assertEquals(Optional.empty(), cache.get(KEY, Report.class));
    }

    @Test
    public void wrapWithCondition_notCacheable_notStored() {
        WrapCondition<Report> onlyNonEmpty = WrapCondition.cacheIf(report -> report.rows() > 0);

        Report report = cache.wrapWithCondition(KEY, Report.class, countingLoader(new Report("empty", 0)),
                onlyNonEmpty);

        assertEquals(new Report("empty", 0), report);
        assertEquals(Optional.empty(), cache.get(KEY, Report.class));
    }

    @Test
    public void wrapWithCondition_cacheable_stores() {
        WrapCondition<Report> onlyNonEmpty = WrapCondition.cacheIf(report -> report.rows() > 0);

        cache.wrapWithCondition(KEY, Report.class, countingLoader(new Report("full", 3)), onlyNonEmpty);

        assertEquals(Optional.of(new Report("full", 3)), cache.get(KEY, Report.class));
    }

    @Test
    public void wrapWithCondition_bypassedLoaderFails_throws() {
        WrapCondition<Report> bypass = new WrapCondition<>(() -> false, value -> true);
        IllegalStateException failure = new IllegalStateException("database down");

        CacheLoaderException e = assertThrows(CacheLoaderException.class,
                () -> cache.wrapWithCondition(KEY, Report.class, () -> {
                    throw failure;
                }, bypass));

        assertSame(failure, e.getCause());
    }

    private <T> CacheLoader<T> countingLoader(T value) {
        return () -> {
            loaderRuns.incrementAndGet();
            return value;
        };
    }

    /** Returns a loader that counts its runs and returns only once the other callers wait for its result. */
    private <T> CacheLoader<T> loaderAfterAllWait(CacheLoader<T> result) {
        return () -> {
            loaderRuns.incrementAndGet();
            await().atMost(Duration.ofSeconds(10)).until(() -> cache.waitingCallers(KEY) == CALLERS - 1);
            return result.load();
        };
    }

    /** Starts {@value #CALLERS} threads that call {@code call} at once; returns each result or exception. */
    private List<Object> callTogether(Callable<Object> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Object>> futures = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            futures.add(threads.submit(() -> {
                start.await();
                return call.call();
            }));
        }

        start.countDown();

        List<Object> results = new ArrayList<>();
        for (Future<Object> future : futures) {
            try {
                results.add(future.get(20, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                results.add(e.getCause());
            }
        }
        return results;
    }
}
