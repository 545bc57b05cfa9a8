package io.cohort.core.pubsub;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates and stops the named daemon threads that run handlers and debounce timers. */
public final class DeliveryThreads {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryThreads.class);

    /** Seconds that {@link #shutdown} waits for running handlers before interrupting them. */
    private static final long SHUTDOWN_WAIT_SECONDS = 5;

    private DeliveryThreads() {
    }

    /**
     * Returns a pool of {@code max(2, available processors)} threads named {@code <prefix>-1}, {@code <prefix>-2}
     * and so on, with an unbounded work queue.
     *
     * <p><b>Warning:</b> a handler that blocks holds one of these threads, so as many blocked handlers as threads stop
     * every other subscription that shares the pool.
     */
    public static ExecutorService pool(String prefix) {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                factory(prefix));
    }

    /** Returns a one-thread scheduler named {@code <prefix>-1} whose cancelled tasks leave its queue at once. */
    public static ScheduledThreadPoolExecutor timer(String prefix) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, factory(prefix));
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return timer;
    }

    /** Stops {@code executor}: running tasks get a few seconds to finish, then they are interrupted. */
    public static void shutdown(ExecutorService executor, String name) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("Threads {} still run handlers after {} s; interrupting them", name, SHUTDOWN_WAIT_SECONDS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory factory(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler(
                    (t, e) -> LOG.error("Thread {} ended by an uncaught error", t.getName(), e));
            return thread;
        };
    }
}
