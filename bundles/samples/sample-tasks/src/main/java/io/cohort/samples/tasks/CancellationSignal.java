package io.cohort.samples.tasks;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The signal that stops one running task after {@code tasks:cancel} requested it. Unlike the queue's
 * own cancellation (timeout or shutdown), it does not interrupt the task's thread, so a database write in progress
 * completes, and the waiting task wakes up at once.
 *
 * <p>Thread safety: any thread may cancel; the task's thread waits and checks.
 */
final class CancellationSignal {

    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile String reason;

    /**
     * Sets the signal with a reason for the task row; only the first reason is kept.
     *
     * @return whether this call set the signal
     */
    synchronized boolean cancel(String cancelReason) {
        if (reason != null) {
            return false;
        }
        reason = cancelReason;
        cancelled.countDown();
        return true;
    }

    boolean isCancelled() {
        return reason != null;
    }

    /** Returns the reason given to the call that set the signal, or null. */
    String reason() {
        return reason;
    }

    /**
     * Waits up to {@code timeout} for the signal.
     *
     * @return whether the signal is set
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean await(Duration timeout) throws InterruptedException {
        return cancelled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
