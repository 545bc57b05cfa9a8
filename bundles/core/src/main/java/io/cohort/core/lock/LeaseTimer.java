package io.cohort.core.lock;

import java.util.concurrent.Future;

/** The clock and timer that end leases. Tests replace it to move time and fire expiries by hand. */
interface LeaseTimer {

    /** Returns the current time in nanoseconds from an arbitrary origin, like {@link System#nanoTime()}. */
    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} from now. Cancelling the returned future removes the task. */
    Future<?> schedule(Runnable task, long delayNanos);

    /** Stops the timer. Tasks that have not run yet are dropped. */
    void shutdown();
}
