package io.cohort.itests.support;

import java.time.Duration;

/**
 * Polls a condition until it holds, instead of sleeping for a guessed time.
 *
 * <p>{@link #eventually(Duration, Check)} reruns a block of assertions every {@value #POLL_MILLIS} ms until it
 * passes, and rethrows the last failure when the time is up, so the report shows the state that did not change.
 */
public final class Eventually {

    /** Default time for a condition that should hold within a moment. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private static final long POLL_MILLIS = 20;

    private Eventually() {
    }

    /** A block of assertions to retry. */
    @FunctionalInterface
    public interface Check {

        void run() throws Exception;
    }

    /** Reruns {@code check} until it passes, for at most {@link #DEFAULT_TIMEOUT}. */
    public static void eventually(Check check) {
        eventually(DEFAULT_TIMEOUT, check);
    }

    /**
     * Reruns {@code check} until it returns without throwing.
     *
     * @throws AssertionError the last failure of {@code check}, once {@code timeout} has passed
     */
    public static void eventually(Duration timeout, Check check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() - deadline > 0) {
                    AssertionError failure = new AssertionError(
                            "Condition still failing after " + timeout.toMillis() + " ms: " + e.getMessage(), e);
                    throw failure;
                }
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while polling", e);
        }
    }
}
