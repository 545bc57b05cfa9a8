package io.cohort.core.plugin;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that runs every plugin lifecycle step, one at a time, in submission order.
 *
 * <p>Because steps run in order, a step that waits with {@link #executeAndWait} starts only after every step queued
 * before it has finished. An unregistration therefore never overtakes a load of the same plugin that is running or
 * queued.
 *
 * <p>Plugin code runs on a hook thread that bounds each call by the hook timeout, and the lifecycle thread reports
 * those calls through {@link #pluginCallStarted()} and {@link #pluginCallEnded()}. Outside them the lifecycle thread
 * runs only Cohort code. A waiting thread gives up when the lifecycle thread has spent longer than the stall limit
 * outside plugin calls in one stretch, so that a stuck step cannot hold FileInstall or the framework stop forever.
 */
final class LifecycleExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleExecutor.class);
    private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ExecutorService executor;
    private final long waitWarningNanos;
    private final long stallLimitNanos;
    private final long pollNanos;
    private volatile Thread thread;
    private volatile String runningStep;

    /** Whether the lifecycle thread runs Cohort code of a step, as opposed to waiting for a plugin call or idling. */
    private volatile boolean outsidePluginCall;
    private volatile long outsidePluginCallSinceNanos;

    /**
     * @param threadName the name of the lifecycle thread
     * @param waitWarning how long {@link #executeAndWait} waits before it logs a WARN naming the running step, and
     *     again after each further period
     * @param stallLimit how long the lifecycle thread may run a step outside plugin calls in one stretch before
     *     {@link #executeAndWait} stops waiting for it
     */
    LifecycleExecutor(String threadName, Duration waitWarning, Duration stallLimit) {
        this.waitWarningNanos = TimeUnit.MILLISECONDS.toNanos(waitWarning.toMillis());
        this.stallLimitNanos = TimeUnit.MILLISECONDS.toNanos(stallLimit.toMillis());
        this.pollNanos = Math.max(MIN_POLL_NANOS, Math.min(waitWarningNanos, stallLimitNanos / 4));
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread created = new Thread(runnable, threadName);
            created.setDaemon(true);
            thread = created;
            return created;
        });
    }

    /** Queues {@code step} and returns at once. */
    void execute(String description, Runnable step) {
        try {
            executor.execute(() -> run(description, step));
        } catch (RejectedExecutionException e) {
            LOG.warn("Plugin lifecycle thread has stopped; dropping step '{}'", description);
        }
    }

    /**
     * Runs {@code step} on the lifecycle thread and waits until it has finished.
     *
     * <p>Called on the lifecycle thread itself (a hook that unregisters a plugin service), it queues the step and
     * returns at once, because a step cannot wait for the thread it runs on. When the waiting thread is
     * interrupted, or when the lifecycle thread stalls outside plugin calls for longer than the stall limit, it
     * stops waiting, but the step still runs later.
     *
     * @return whether the step has finished when this method returns
     */
    boolean executeAndWait(String description, Runnable step) {
        if (Thread.currentThread() == thread) {
            LOG.debug("Step '{}' requested on the lifecycle thread; it runs after the current step", description);
            execute(description, step);
            return false;
        }
        Future<?> done;
        try {
            done = executor.submit(() -> run(description, step));
        } catch (RejectedExecutionException e) {
            LOG.warn("Plugin lifecycle thread has stopped; dropping step '{}'", description);
            return false;
        }
        long nextWarning = System.nanoTime() + waitWarningNanos;
        while (true) {
            try {
                done.get(pollNanos, TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                long now = System.nanoTime();
                String stalledStep = runningStep;
                if (isStalled(now)) {
                    LOG.warn("Plugin lifecycle step '{}' has run longer than {} ms outside plugin hooks; '{}' stops "
                            + "waiting for it and runs later", stalledStep,
                            TimeUnit.NANOSECONDS.toMillis(stallLimitNanos), description);
                    return false;
                }
                if (now - nextWarning >= 0) {
                    LOG.warn("Still waiting for the plugin lifecycle thread to finish '{}' before '{}'", stalledStep,
                            description);
                    nextWarning = now + waitWarningNanos;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("Interrupted while waiting for step '{}'; it runs later on the lifecycle thread",
                        description);
                return false;
            } catch (ExecutionException e) {
                LOG.error("Plugin lifecycle step '{}' failed", description, e.getCause());
                return true;
            }
        }
    }

    /** Called on the lifecycle thread when it starts waiting for plugin code that the hook timeout bounds. */
    void pluginCallStarted() {
        outsidePluginCall = false;
    }

    /** Called on the lifecycle thread when the plugin call has returned or timed out. */
    void pluginCallEnded() {
        startStretchOutsidePluginCalls();
    }

    private void startStretchOutsidePluginCalls() {
        outsidePluginCallSinceNanos = System.nanoTime();
        outsidePluginCall = true;
    }

    private boolean isStalled(long nowNanos) {
        return outsidePluginCall && nowNanos - outsidePluginCallSinceNanos > stallLimitNanos;
    }

    /** Returns whether the caller runs on the lifecycle thread. */
    boolean isLifecycleThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Stops taking steps, lets queued steps finish for up to {@code timeout}, then interrupts the thread. Called on
     * the lifecycle thread itself, it only stops taking steps.
     */
    void close(Duration timeout) {
        executor.shutdown();
        if (isLifecycleThread()) {
            return;
        }
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Plugin lifecycle step '{}' still runs after {} ms; interrupting it", runningStep,
                        timeout.toMillis());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    private void run(String description, Runnable step) {
        runningStep = description;
        startStretchOutsidePluginCalls();
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("Plugin lifecycle step '{}' failed; the lifecycle thread goes on", description, e);
        } finally {
            outsidePluginCall = false;
            runningStep = null;
        }
    }
}
