package io.cohort.core.cache;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.MemoryCacheStore;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;

/** Each bad input is rejected with an {@link IllegalArgumentException} that names it, and changes nothing stored. */
@RunWith(Parameterized.class)
public class CacheInputValidationTest {

    private static final String LONG_KEY = "k".repeat(201);
    private static final AtomicInteger LOADER_RUNS = new AtomicInteger();

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Parameter(0)
    public String description;

    @Parameter(1)
    public Consumer<Fixture> call;

    @Parameter(2)
    public List<String> expectedFragments;

    private Fixture fixture;

    /** An object whose only property is itself, which Jackson refuses to write. */
    public static final class SelfReference {

        public SelfReference getSelf() {
            return this;
        }
    }

    /** The manager and one cache holding {@code a=1} and {@code b=2}. */
    public record Fixture(CacheManager manager, Cache cache) {
    }

    @Parameters(name = "{0}")
    public static Collection<Object[]> cases() {
        return Arrays.asList(new Object[][] {
            {"empty key", call(f -> f.cache().set("", 1)), List.of("''", "0 characters")},
            {"over-long key", call(f -> f.cache().set(LONG_KEY, 1)), List.of("201 characters", "1 to 200")},
            {"key with space", call(f -> f.cache().set("a b", 1)), List.of("'a b'", "A-Z a-z 0-9")},
            {"null key", call(f -> f.cache().set(null, 1)), List.of("key is null")},
            {"null value", call(f -> f.cache().set("a", null)), List.of("key 'a'", "is null")},
            {"self-referencing value", call(f -> f.cache().set("a", new SelfReference())),
                List.of("key 'a'", SelfReference.class.getName(), "cannot be written as JSON")},
            {"zero ttl", call(f -> f.cache().set("a", 3, Duration.ZERO)), List.of("key 'a'", "PT0S", "1 ms")},
            {"negative ttl", call(f -> f.cache().set("a", 3, Duration.ofSeconds(-5))), List.of("PT-5S", "1 ms")},
            {"sub-millisecond ttl", call(f -> f.cache().set("a", 3, Duration.ofNanos(999_999))),
                List.of("PT0.000999999S", "1 ms")},
            {"null ttl", call(f -> f.cache().set("a", 3, null)), List.of("key 'a'", "is null")},
            {"ttl over ten years", call(f -> f.cache().set("a", 3, Duration.ofDays(99_999_999_999_999L))),
                List.of("key 'a'", "PT2399999999999976H", "at most 3650 days")},
            {"bad key in del", call(f -> f.cache().del("a", "b c")), List.of("'b c'")},
            {"null key in del", call(f -> f.cache().del("a", null)), List.of("key is null")},
            {"bad key in mdel", call(f -> f.cache().mdel(List.of("a", "b c"))), List.of("'b c'")},
            {"bad key in mset", call(f -> f.cache().mset(entries("c", 3, "d e", 4))), List.of("'d e'")},
            {"null value in mset", call(f -> f.cache().mset(entries("a", 5, "c", null))),
                List.of("key 'c'", "is null")},
            {"unwritable value in mset", call(f -> f.cache().mset(entries("a", 5, "c", new SelfReference()))),
                List.of("key 'c'", "cannot be written as JSON")},
            {"zero ttl in mset", call(f -> f.cache().mset(entries("a", 5), Duration.ZERO)), List.of("PT0S")},
            {"bad key in mget", call(f -> f.cache().mget(List.of("a", "b c"), Integer.class)), List.of("'b c'")},
            {"bad key in get", call(f -> f.cache().get("b c", Integer.class)), List.of("'b c'")},
            {"null type in get", call(f -> f.cache().get("a", null)), List.of("type", "null")},
            {"bad key in wrap", call(f -> f.cache().wrap("b c", Integer.class, CacheInputValidationTest::load)),
                List.of("'b c'")},
            {"null loader in wrap", call(f -> f.cache().wrap("c", Integer.class, null)), List.of("loader", "'c'")},
            {"zero ttl in wrap", call(f -> f.cache().wrap("c", Integer.class, CacheInputValidationTest::load,
                    Duration.ZERO)), List.of("key 'c'", "PT0S")},
            {"null condition", call(f -> f.cache().wrapWithCondition("c", Integer.class,
                    CacheInputValidationTest::load, null)), List.of("condition", "'c'")},
            {"unknown store", call(f -> f.manager().createCache(CacheOptions.builder("x").store("nope").build())),
                List.of("'nope'", "[memory]")},
            {"empty cache name", call(f -> f.manager().createCache(CacheOptions.builder("").build())),
                List.of("cache name ''")},
            {"bad prefix", call(f -> f.manager().createCache(CacheOptions.builder("x").prefix("a b").build())),
                List.of("'a b'")},
            {"zero default ttl", call(f -> f.manager().createCache(
                    CacheOptions.builder("x").ttl(Duration.ZERO).build())), List.of("cache 'x'", "PT0S")},
            {"negative maxEntries", call(f -> f.manager().createCache(
                    CacheOptions.builder("x").maxEntries(-1).build())), List.of("-1", "cache 'x'")},
            {"null options", call(f -> f.manager().createCache(null)), List.of("options are null")},
        });
    }

    @Before
    public void createCache() {
        CacheService service = new CacheService(CacheManagerTest.settings("memory"));
        service.addStore(new MemoryCacheStore(), Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        CacheManager manager = new BundleCacheManager(service, "test.plugin [7]");
        Cache cache = manager.createCache(CacheOptions.builder("c").build());
        cache.set("a", 1);
        cache.set("b", 2);
        fixture = new Fixture(manager, cache);
        LOADER_RUNS.set(0);
    }

    @Test
    public void badInput_rejectedWithMessageAndNothingChanged() {
        try {
            call.accept(fixture);
            fail(description + " was accepted");
        } catch (IllegalArgumentException e) {
            for (String fragment : expectedFragments) {
                assertTrue("message '" + e.getMessage() + "' lacks " + fragment, e.getMessage().contains(fragment));
            }
        }

        assertEquals(Set.of("a", "b"), fixture.cache().keys());
        assertEquals(Map.of("a", 1, "b", 2), fixture.cache().mget(List.of("a", "b"), Integer.class));
        assertEquals(Set.of("c"), fixture.manager().cacheNames());
        assertEquals(0, LOADER_RUNS.get());
    }

    private static Consumer<Fixture> call(Consumer<Fixture> call) {
        return call;
    }

    private static Integer load() {
        LOADER_RUNS.incrementAndGet();
        return 9;
    }

    private static Map<String, Object> entries(Object... keysAndValues) {
        Map<String, Object> entries = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            entries.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return entries;
    }
}
