package io.cohort.core.plugin;

import static org.junit.Assert.assertEquals;

import java.time.Duration;

import org.junit.Test;

/** Parsing of the hook timeout property. */
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
}
