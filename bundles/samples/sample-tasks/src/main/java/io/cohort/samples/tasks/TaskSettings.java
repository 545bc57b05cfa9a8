package io.cohort.samples.tasks;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The settings of the tasks plugin on one node, from the configuration PID {@value TasksPlugin#PID}.
 *
 * @param concurrency how many tasks this node runs at once, 1 to {@value #MAX_CONCURRENCY}
 * @param stepTime how long one step of a task takes
 */
record TaskSettings(int concurrency, Duration stepTime) {

    static final int DEFAULT_CONCURRENCY = 2;
    static final int MAX_CONCURRENCY = 256;
    static final long DEFAULT_STEP_MS = 1_000;
    static final long MIN_STEP_MS = 10;
    static final long MAX_STEP_MS = 60_000;

    /**
     * Returns the settings for the configured texts. A text that is no whole number, or one too large for an
     * {@code int}, is reported to {@code warning} with the setting, the value and the allowed range, and replaced by
     * the default.
     */
    static TaskSettings parse(String concurrency, String stepMillis, Consumer<String> warning) {
        return of((int) number("concurrency", concurrency, 1, MAX_CONCURRENCY, DEFAULT_CONCURRENCY, warning),
                number("step.ms", stepMillis, MIN_STEP_MS, MAX_STEP_MS, DEFAULT_STEP_MS, warning), warning);
    }

    private static long number(String setting, String text, long min, long max, long fallback,
            Consumer<String> warning) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            warning.accept(setting + " '" + text + "' is not a whole number from " + min + " to " + max + "; using "
                    + fallback);
            return fallback;
        }
    }

    /**
     * Returns the settings for the configured values. An invalid value is reported to {@code warning}, with the
     * setting, the value and the allowed range, and replaced by its default, so the plugin still loads.
     */
    static TaskSettings of(int concurrency, long stepMillis, Consumer<String> warning) {
        int slots = concurrency;
        if (slots < 1 || slots > MAX_CONCURRENCY) {
            warning.accept("concurrency " + concurrency + " is invalid; expected 1 to " + MAX_CONCURRENCY
                    + "; using " + DEFAULT_CONCURRENCY);
            slots = DEFAULT_CONCURRENCY;
        }
        long step = stepMillis;
        if (step < MIN_STEP_MS || step > MAX_STEP_MS) {
            warning.accept("step.ms " + stepMillis + " is invalid; expected " + MIN_STEP_MS + " to " + MAX_STEP_MS
                    + "; using " + DEFAULT_STEP_MS);
            step = DEFAULT_STEP_MS;
        }
        return new TaskSettings(slots, Duration.ofMillis(step));
    }
}
