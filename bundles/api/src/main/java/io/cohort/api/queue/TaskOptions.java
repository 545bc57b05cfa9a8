package io.cohort.api.queue;

import java.time.Duration;

/**
 * The options of a published task.
 *
 * @param timeout how long one attempt may run before it is cancelled and counted as failed; positive
 * @param maxRetries how many times a failed task runs again, from 0 to 100
 * @param backoff the wait before the first retry, doubled for each later one up to 5 minutes; positive
 */
public record TaskOptions(Duration timeout, int maxRetries, Duration backoff) {

    /** Default timeout of one attempt: 5 minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /** Default number of retries: 3. */
    public static final int DEFAULT_MAX_RETRIES = 3;

    /** Default backoff before the first retry: 1 second. */
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);

    /** Upper bound of {@link #maxRetries()}. */
    public static final int MAX_RETRIES_LIMIT = 100;

    public TaskOptions {
        requirePositive("timeout", timeout);
        requirePositive("backoff", backoff);
        if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
            throw new IllegalArgumentException(
                    "maxRetries is " + maxRetries + "; expected 0 to " + MAX_RETRIES_LIMIT);
        }
    }

    /** Returns the defaults: 5 minute timeout, 3 retries, 1 second backoff. */
    public static TaskOptions defaults() {
        return new TaskOptions(DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_BACKOFF);
    }

    public TaskOptions withTimeout(Duration newTimeout) {
        return new TaskOptions(newTimeout, maxRetries, backoff);
    }

    public TaskOptions withMaxRetries(int newMaxRetries) {
        return new TaskOptions(timeout, newMaxRetries, backoff);
    }

    public TaskOptions withBackoff(Duration newBackoff) {
        return new TaskOptions(timeout, maxRetries, newBackoff);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " is " + value + "; expected a positive duration");
        }
    }
}
