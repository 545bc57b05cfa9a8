package io.cohort.core.lock;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The lease timer of a running node: one daemon thread named {@value #THREAD_NAME}. Cancelled tasks leave its queue at
 * once, so a released lease leaves nothing behind.
 */
final class ExecutorLeaseTimer implements LeaseTimer {

    static final String THREAD_NAME = "cohort-lock-lease";

    private final ScheduledThreadPoolExecutor executor;

    ExecutorLeaseTimer() {
        executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Future<?> schedule(Runnable task, long delayNanos) {
        return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
        executor.shutdownNow();
    }

    /** Returns how many tasks wait in the queue. */
    int pendingTasks() {
        return executor.getQueue().size();
    }
}
