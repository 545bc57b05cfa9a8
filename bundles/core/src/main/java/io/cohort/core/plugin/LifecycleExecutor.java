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
 */
final class LifecycleExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleExecutor.class);

    private final ExecutorService executor;
    private final Duration waitWarning;
    private volatile Thread thread;
    private volatile String runningStep;

    /**
     * @param threadName the name of the lifecycle thread
     * @param waitWarning how long {@link #executeAndWait} waits before it logs a WARN naming the running step, and
     *     again after each further period
     */
    LifecycleExecutor(String threadName, Duration waitWarning) {
        this.waitWarning = waitWarning;
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
     * interrupted, it stops waiting, but the step still runs later.
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
        while (true) {
            try {
                done.get(waitWarning.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                LOG.warn("Still waiting for the plugin lifecycle thread to finish '{}' before '{}'", runningStep,
                        description);
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
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("Plugin lifecycle step '{}' failed; the lifecycle thread goes on", description, e);
        } finally {
            runningStep = null;
        }
    }
}
