package io.cohort.core.plugin;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs plugin code (the hooks, and the activation and deactivation of a plugin's component) on a hook thread, and
 * waits for it at most the hook timeout.
 *
 * <p>The caller is the lifecycle thread, which makes one call at a time, so plugin code runs one call at a time.
 * When a call runs longer than the timeout, the runner interrupts the hook thread, renames it
 * {@code cohort-plugins-abandoned-<plugin>} and runs later calls on a new hook thread. The abandoned thread ends
 * when its call returns. What the call returns or throws then is logged at DEBUG and otherwise ignored.
 *
 * <p>While an abandoned call on a plugin object still runs, the runner rejects every other call on that object, so
 * the hooks of one plugin object never run at the same time.
 */
final class HookRunner {

    /** The prefix of the hook thread names, followed by a counter that grows each time a thread is abandoned. */
    static final String THREAD_PREFIX = "cohort-plugins-hook-";

    /** The prefix of the name of an abandoned hook thread, followed by the plugin name. */
    static final String ABANDONED_PREFIX = "cohort-plugins-abandoned-";

    private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);

    private final Duration timeout;
    private final Runnable callStarted;
    private final Runnable callEnded;
    private final AtomicInteger threadCount = new AtomicInteger();

    /** Plugin objects with an abandoned call that still runs, mapped to the step of that call. */
    private final Map<Object, String> busyTargets = Collections.synchronizedMap(new IdentityHashMap<>());

    private ExecutorService executor;
    private boolean closed;

    /**
     * @param timeout how long a call may run before it is abandoned
     * @param callStarted runs on the calling thread before each call
     * @param callEnded runs on the calling thread after each call, also when it timed out
     */
    HookRunner(Duration timeout, Runnable callStarted, Runnable callEnded) {
        this.timeout = timeout;
        this.callStarted = callStarted;
        this.callEnded = callEnded;
    }

    HookRunner(Duration timeout) {
        this(timeout, () -> { }, () -> { });
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Runs a hook of a plugin object on the hook thread and waits for it at most the timeout.
     *
     * @param plugin the plugin name, for the name of an abandoned thread and for log messages
     * @param step the hook name, for log messages
     * @param target the plugin object the hook belongs to
     */
    Result<Void> run(String plugin, String step, Object target, Hook hook) {
        return call(plugin, step, target, () -> {
            hook.run();
            return null;
        }, null);
    }

    /**
     * Calls {@code body} on the hook thread and waits for it at most the timeout.
     *
     * @param target the plugin object the call belongs to, or null when it has none yet. A call on a target with an
     *     abandoned call that still runs is rejected without running
     * @param lateResult receives a non-null value that {@code body} returns after the call was abandoned, on the
     *     abandoned thread, so that the caller can release it. May be null
     */
    <T> Result<T> call(String plugin, String step, Object target, Callable<T> body, Consumer<? super T> lateResult) {
        if (target != null) {
            String busyStep = busyTargets.get(target);
            if (busyStep != null) {
                return Result.notRun("not called because its " + busyStep + " call timed out and still runs");
            }
        }
        Call<T> call = new Call<>(plugin, step, target, body, lateResult, busyTargets);
        callStarted.run();
        try {
            Future<Result<T>> future;
            try {
                future = executor().submit(call::runOnHookThread);
            } catch (RejectedExecutionException e) {
                return Result.notRun("not called because the plugin runtime has stopped");
            }
            return await(call, future);
        } finally {
            callEnded.run();
        }
    }

    /** Returns whether the caller runs on a hook thread of this runner, including an abandoned one. */
    boolean isHookThread() {
        return Thread.currentThread() instanceof HookThread hookThread && hookThread.runner == this;
    }

    /** Interrupts the running call, if any, and rejects later calls. Abandoned threads are left as they are. */
    synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    private <T> Result<T> await(Call<T> call, Future<Result<T>> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (call.abandon()) {
                return Result.timedOut("timed out after " + timeout.toMillis() + " ms", abandon(call));
            }
            return finishedResult(future);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (call.abandon()) {
                abandon(call);
                return Result.notRun("interrupted because the plugin runtime is stopping");
            }
            return finishedResult(future);
        } catch (ExecutionException e) {
            throw new IllegalStateException("plugin call " + call.step + " of " + call.plugin + " failed inside "
                    + "the runner", e.getCause());
        }
    }

    /** Returns the result of a call that finished just as the caller stopped waiting for it. */
    private static <T> Result<T> finishedResult(Future<Result<T>> future) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("plugin call failed inside the runner", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Renames and interrupts the thread of an abandoned call, and returns its new name. */
    private synchronized String abandon(Call<?> call) {
        Thread stuck = call.thread;
        String name = ABANDONED_PREFIX + call.plugin;
        if (stuck != null) {
            stuck.setName(name);
        }
        // Interrupts the stuck thread. Its executor takes no further calls, so the thread ends when the call returns.
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        return name;
    }

    private synchronized ExecutorService executor() {
        if (closed) {
            throw new RejectedExecutionException("hook runner closed");
        }
        if (executor == null) {
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    runnable -> {
                        Thread thread = new HookThread(runnable, THREAD_PREFIX + threadCount.incrementAndGet(), this);
                        thread.setDaemon(true);
                        return thread;
                    });
        }
        return executor;
    }

    /** Plugin code that may throw anything. */
    @FunctionalInterface
    interface Hook {
        void run() throws Exception;
    }

    /** The ways a call can end. */
    enum Outcome {
        /** The call returned within the timeout. */
        RETURNED,
        /** The call threw within the timeout. */
        THREW,
        /** The call ran longer than the timeout and was abandoned. */
        TIMED_OUT,
        /** The call did not run, or was abandoned before it could finish, for the reason in the message. */
        NOT_RUN
    }

    /**
     * The result of one call.
     *
     * @param outcome how the call ended
     * @param value what the call returned, or null
     * @param failure what the call threw, or null
     * @param message why the call failed, for the plugin's last error, or null when it returned
     * @param abandonedThread the name of the abandoned thread after a timeout, or null
     */
    record Result<T>(Outcome outcome, T value, Throwable failure, String message, String abandonedThread) {

        static <T> Result<T> returned(T value) {
            return new Result<>(Outcome.RETURNED, value, null, null, null);
        }

        static <T> Result<T> threw(Throwable failure) {
            return new Result<>(Outcome.THREW, null, failure, failure.toString(), null);
        }

        static <T> Result<T> timedOut(String message, String abandonedThread) {
            return new Result<>(Outcome.TIMED_OUT, null, null, message, abandonedThread);
        }

        static <T> Result<T> notRun(String message) {
            return new Result<>(Outcome.NOT_RUN, null, null, message, null);
        }
    }

    /** A thread that runs plugin code for one runner. */
    private static final class HookThread extends Thread {

        private final HookRunner runner;

        HookThread(Runnable runnable, String name, HookRunner runner) {
            super(runnable, name);
            this.runner = runner;
        }
    }

    /** One call: either the hook thread finishes it or the caller abandons it, whichever comes first. */
    private static final class Call<T> {

        private static final int RUNNING = 0;
        private static final int FINISHED = 1;
        private static final int ABANDONED = 2;

        private final String plugin;
        private final String step;
        private final Object target;
        private final Callable<T> body;
        private final Consumer<? super T> lateResult;
        private final Map<Object, String> busyTargets;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private volatile Thread thread;
        private volatile long abandonedAtNanos;

        Call(String plugin, String step, Object target, Callable<T> body, Consumer<? super T> lateResult,
                Map<Object, String> busyTargets) {
            this.plugin = plugin;
            this.step = step;
            this.target = target;
            this.body = body;
            this.lateResult = lateResult;
            this.busyTargets = busyTargets;
        }

        /**
         * Marks the call abandoned unless it has finished, and returns whether it was abandoned. The target is
         * marked busy before the state changes, so that a late finish always finds the mark it must remove.
         */
        boolean abandon() {
            abandonedAtNanos = System.nanoTime();
            if (target != null) {
                busyTargets.put(target, step);
            }
            if (state.compareAndSet(RUNNING, ABANDONED)) {
                return true;
            }
            if (target != null) {
                busyTargets.remove(target);
            }
            return false;
        }

        Result<T> runOnHookThread() {
            // The thread is published before the state is read, so either the abandoning caller reads the thread and
            // renames it, or this check reads the abandonment and skips the body.
            thread = Thread.currentThread();
            if (state.get() != RUNNING) {
                return null;
            }
            T value = null;
            Throwable failure = null;
            try {
                value = body.call();
            } catch (Throwable e) {
                // Plugin code runs on this thread only, so even an Error fails just this call.
                failure = e;
            }
            if (state.compareAndSet(RUNNING, FINISHED)) {
                return failure == null ? Result.returned(value) : Result.threw(failure);
            }
            finishLate(value, failure);
            return null;
        }

        private void finishLate(T value, Throwable failure) {
            long lateMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - abandonedAtNanos);
            if (target != null) {
                busyTargets.remove(target);
            }
            if (failure != null) {
                LOG.debug("Plugin {} threw from {} {} ms after it timed out; ignoring it", plugin, step, lateMillis,
                        failure);
            } else {
                LOG.debug("Plugin {} returned from {} {} ms after it timed out; ignoring the result", plugin, step,
                        lateMillis);
            }
            if (value != null && lateResult != null) {
                try {
                    lateResult.accept(value);
                } catch (RuntimeException e) {
                    LOG.debug("Releasing what plugin {} returned late from {} failed", plugin, step, e);
                }
            }
        }
    }
}
