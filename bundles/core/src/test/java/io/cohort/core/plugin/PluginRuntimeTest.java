package io.cohort.core.plugin;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.Test;

/** Parsing of the hook timeout property, and the check of configured adapter names. */
public class PluginRuntimeTest {

    private static final Duration DEFAULT = Duration.ofMillis(PluginRuntime.DEFAULT_HOOK_TIMEOUT_MS);

    @Test(timeout = 5000)
    public void hookTimeout_missing_isDefault() {
        assertEquals(DEFAULT, PluginRuntime.hookTimeout(null));
    }

    @Test(timeout = 5000)
    public void hookTimeout_blank_isDefault() {
        assertEquals(DEFAULT, PluginRuntime.hookTimeout(" "));
    }

    @Test(timeout = 5000)
    public void hookTimeout_millis_parsesTrimmed() {
        assertEquals(Duration.ofMillis(250), PluginRuntime.hookTimeout(" 250 "));
    }

    @Test(timeout = 5000)
    public void hookTimeout_zero_isDefault() {
        assertEquals(DEFAULT, PluginRuntime.hookTimeout("0"));
    }

    @Test(timeout = 5000)
    public void hookTimeout_negative_isDefault() {
        assertEquals(DEFAULT, PluginRuntime.hookTimeout("-5"));
    }

    @Test(timeout = 5000)
    public void hookTimeout_withUnit_isDefault() {
        assertEquals(DEFAULT, PluginRuntime.hookTimeout("30s"));
    }

    @Test(timeout = 5000)
    public void defaultHookTimeout_isBelowLauncherStopWait() {
        assertEquals(Duration.ofSeconds(20), DEFAULT);
    }

    @Test(timeout = 5000)
    public void unknownAdapterNames_misspelt_returnsOnlyThoseSettings() {
        Map<String, String> configured = new LinkedHashMap<>();
        configured.put("cache.store", "hazelcast");
        configured.put("pubsub.adapter", "memory");
        configured.put("queue.adapter", "hazelcst");
        configured.put("lock.adapter", "redis");

        Map<String, String> unknown = PluginRuntime.unknownAdapterNames(configured);

        assertEquals(Map.of("queue.adapter", "hazelcst", "lock.adapter", "redis"), unknown);
    }

    @Test(timeout = 5000)
    public void unknownAdapterNames_shippedNames_returnsEmpty() {
        assertEquals(Map.of(), PluginRuntime.unknownAdapterNames(Map.of("cache.store", "memory", "queue.adapter",
                "hazelcast")));
    }
}
