package io.cohort.core.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskCancelledException;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.TaskRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link TaskConsumer} subscribed to a channel, with {@code concurrency} worker threads named
 * {@code cohort-queue-<channel>-N}.
 *
 * <p>Each worker calls {@link TaskConsumer#idle()} before each take and, while it returns false, calls it again
 * every {@value #IDLE_RECHECK_MILLIS} ms. It then takes a task from the adapter, reads the payload as the
 * consumer's type, runs {@link TaskConsumer#process} under the task's timeout, and settles the task: complete,
 * requeue the next attempt after the backoff, or move it to the dead letters. The worker itself settles the task
 * after {@code process} returns, so the attempts of one task never overlap.
 *
 * <p><b>Warning:</b> when an attempt times out or is cancelled at a stop, the attempt's cancellation flag is set and
 * its worker thread is interrupted, but nothing can end a {@code process} call that ignores both. Such a call keeps
 * its worker slot until it returns, and the task's next attempt is queued only then.
 */
final class QueueConsumer<T> implements Subscription {

    /** How long a worker waits before it calls {@link TaskConsumer#idle()} again after it returned false. */
    static final long IDLE_RECHECK_MILLIS = 100;

    /** Maximum delay between two attempts. The backoff doubles per attempt up to it. */
    static final long MAX_RETRY_DELAY_MILLIS = Duration.ofMinutes(5).toMillis();

    /** How long one take waits for a task before the worker checks for a stop and calls idle() again. */
    private static final Duration TAKE_WAIT = Duration.ofMillis(250);

    /** How long a worker waits before it looks the adapter up again when the lookup or a take failed. */
    private static final long ADAPTER_RETRY_MILLIS = 1_000;

    /** Repeated failures of idle() or of the adapter are logged once, then every this many times. */
    private static final long LOG_EVERY = 600;

    private final EventQueueManager manager;
    private final String channel;
    private final String queue;
    private final Class<T> type;
    private final TaskConsumer<T> consumer;
    private final int concurrency;
    private final String owner;
    private final Consumer<QueueConsumer<?>> onStopped;
    private final Logger log;
    private final ChannelCounters counters;
    private final Map<String, TaskAttempt> running = new ConcurrentHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final AtomicLong idleFailures = new AtomicLong();
    private final AtomicLong adapterFailures = new AtomicLong();
    private final AtomicBoolean stopReported = new AtomicBoolean();
    private volatile boolean stopping;

    QueueConsumer(EventQueueManager manager, String channel, Class<T> type, TaskConsumer<T> consumer,
            int concurrency, String owner, Consumer<QueueConsumer<?>> onStopped) {
        this.manager = manager;
        this.channel = channel;
        this.queue = manager.queueName(channel);
        this.type = type;
        this.consumer = consumer;
        this.concurrency = concurrency;
        this.owner = owner;
        this.onStopped = onStopped;
        this.log = LoggerFactory.getLogger(EventQueueManager.CHANNEL_LOGGER_PREFIX + channel);
        this.counters = manager.counters(channel);
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public boolean isActive() {
        return !stopping;
    }

    /**
     * Stops taking tasks, waits up to the node's queue shutdown timeout for running tasks, then cancels the rest and
     * hands them back to the queue. Returns once the workers ended or the wait after cancelling passed. Calling it
     * from this consumer's own {@code process} neither waits for nor cancels that call.
     */
    @Override
    public void close() {
        manager.stop(List.of(this));
    }

    /** Returns how many task attempts of this consumer run now. */
    int runningCount() {
        return running.size();
    }

    /** Starts the worker threads, unless a stop already began. */
    synchronized void start() {
        if (stopping || !workers.isEmpty()) {
            return;
        }
        for (int i = 0; i < concurrency; i++) {
            Thread worker = new Thread(this::work, "cohort-queue-" + channel + "-" + manager.nextThreadNumber(channel));
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
        log.info("Consumer of channel {} for {} started with {} workers", channel, owner, concurrency);
    }

    /**
     * Stops taking tasks and wakes workers that wait for idle() to turn true.
     *
     * @return whether this call began the stop
     */
    synchronized boolean beginStop() {
        if (stopping) {
            return false;
        }
        stopping = true;
        stopSignal.countDown();
        log.info("Stopping consumer of channel {} for {}; {} tasks running", channel, owner, running.size());
        return true;
    }

    /**
     * Waits until every worker other than the calling thread ended, or until {@code deadlineNanos} on the
     * {@link System#nanoTime()} clock.
     */
    void awaitWorkers(long deadlineNanos) {
        for (Thread worker : workerThreads()) {
            if (worker == Thread.currentThread()) {
                continue;
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            try {
                // join(0) would wait forever, so the wait is at least 1 ms.
                worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Cancels the attempts still running, except one running on the calling thread, and so hands them back.
     *
     * @param shutdownTimeout the wait that passed, for the message
     */
    void cancelRunning(Duration shutdownTimeout) {
        for (TaskAttempt attempt : running.values()) {
            if (attempt.worker() != Thread.currentThread() && attempt.cancel(TaskAttempt.Cause.STOP)) {
                log.warn("Task {} on channel {} attempt {} still runs after the shutdown timeout of {} ms (started "
                        + "{} ms ago); cancelled it", attempt.taskId(), channel, attempt.attempt(),
                        shutdownTimeout.toMillis(), attempt.elapsedMillis());
            }
        }
    }

    /**
     * Logs the workers that are still busy after their attempt was cancelled, and reports this consumer stopped.
     * Later calls do nothing.
     */
    void finishStop() {
        if (!stopReported.compareAndSet(false, true)) {
            return;
        }
        for (TaskAttempt attempt : running.values()) {
            if (attempt.worker() != Thread.currentThread() && attempt.worker().isAlive()) {
                log.warn("Task {} on channel {} attempt {} ignored its cancellation; worker {} stays busy until "
                        + "process() returns, then hands the task back", attempt.taskId(), channel,
                        attempt.attempt(), attempt.worker().getName());
            }
        }
        onStopped.accept(this);
        log.info("Consumer of channel {} for {} stopped", channel, owner);
    }

    private synchronized List<Thread> workerThreads() {
        return List.copyOf(workers);
    }

    private void work() {
        try {
            while (!stopping) {
                if (!isIdle()) {
                    pause(IDLE_RECHECK_MILLIS);
                    continue;
                }
                EventQueueAdapter adapter = findAdapter();
                TaskRecord task = adapter == null ? null : take(adapter);
                if (task == null) {
                    continue;
                }
                TaskAttempt attempt = register(task);
                if (attempt == null) {
                    handBack(adapter, task, "the consumer is stopping");
                    return;
                }
                try {
                    run(adapter, attempt);
                } finally {
                    running.remove(task.id());
                }
            }
        } catch (RuntimeException | Error e) {
            log.error("Worker {} of channel {} for {} ended after an unexpected error; the consumer has one worker "
                    + "less", Thread.currentThread().getName(), channel, owner, e);
        }
    }

    private boolean isIdle() {
        try {
            boolean idle = consumer.idle();
            idleFailures.set(0);
            return idle;
        } catch (RuntimeException | LinkageError e) {
            long failures = idleFailures.incrementAndGet();
            if (failures == 1 || failures % LOG_EVERY == 0) {
                log.warn("idle() of the consumer of channel {} for {} threw ({} times in a row); treating it as false",
                        channel, owner, failures, e);
            }
            return false;
        }
    }

    private EventQueueAdapter findAdapter() {
        try {
            EventQueueAdapter adapter = manager.adapter();
            adapterFailures.set(0);
            return adapter;
        } catch (IllegalStateException e) {
            logAdapterFailure("Consumer of channel {} for {} waits for its queue adapter: {}", e.getMessage(), null);
            pause(ADAPTER_RETRY_MILLIS);
            return null;
        }
    }

    private TaskRecord take(EventQueueAdapter adapter) {
        try {
            return adapter.take(queue, TAKE_WAIT);
        } catch (InterruptedException e) {
            // Only cancel() interrupts workers, and only during process(), so this interrupt is stray. The worker
            // owns its thread and keeps running until stopping is set.
            log.debug("Worker {} of channel {} ignored an interrupt while taking", Thread.currentThread().getName(),
                    channel);
            return null;
        } catch (RuntimeException e) {
            logAdapterFailure("Consumer of channel {} for {} cannot take a task: {}", e.toString(), e);
            pause(ADAPTER_RETRY_MILLIS);
            return null;
        }
    }

    private void logAdapterFailure(String message, String reason, Exception error) {
        long failures = adapterFailures.incrementAndGet();
        if (failures == 1 || failures % LOG_EVERY == 0) {
            if (error == null) {
                log.warn(message, channel, owner, reason);
            } else {
                log.warn(message, channel, owner, reason, error);
            }
        }
    }

    /**
     * Records the attempt as running, or returns null if a stop began. Each attempt thus either starts before the
     * stop, which then finds it in the running map and can cancel it, or is handed back without running.
     */
    private synchronized TaskAttempt register(TaskRecord task) {
        if (stopping) {
            return null;
        }
        TaskAttempt attempt = new TaskAttempt(task, Thread.currentThread());
        running.put(task.id(), attempt);
        return attempt;
    }

    private void run(EventQueueAdapter adapter, TaskAttempt attempt) {
        TaskRecord task = attempt.task();
        ScheduledFuture<?> timer;
        try {
            timer = manager.scheduleTimeout(() -> onTimeout(attempt), task.timeoutMillis());
        } catch (RejectedExecutionException e) {
            handBack(adapter, task, "the node is stopping");
            return;
        }

        log.debug("Task {} on channel {} attempt {} started on {}", task.id(), channel, task.attempt(),
                Thread.currentThread().getName());
        manager.attemptStarted();
        Throwable error = null;
        try {
            T payload = manager.codec().decode("payload of task " + task.id() + " on channel " + channel,
                    task.payload(), type);
            consumer.process(payload, attempt);
        } catch (Throwable e) {
            error = e;
        } finally {
            timer.cancel(false);
            attempt.finish();
            // Clears an interrupt that a cancel sent to this attempt or that process() left set.
            Thread.interrupted();
            manager.attemptFinished();
        }

        try {
            settle(adapter, attempt, error);
        } catch (RuntimeException e) {
            log.error("Failed to settle task {} on channel {} attempt {}; it stays in flight in the adapter",
                    task.id(),
                    channel, task.attempt(), e);
        }
    }

    private void onTimeout(TaskAttempt attempt) {
        if (attempt.cancel(TaskAttempt.Cause.TIMEOUT)) {
            log.warn("Task {} on channel {} attempt {} timed out after {} ms; cancelled it and interrupted {}",
                    attempt.taskId(), channel, attempt.attempt(), attempt.task().timeoutMillis(),
                    attempt.worker().getName());
        }
    }

    private void settle(EventQueueAdapter adapter, TaskAttempt attempt, Throwable error) {
        TaskRecord task = attempt.task();
        TaskAttempt.Cause cause = attempt.cancelCause();
        if (cause == TaskAttempt.Cause.STOP) {
            adapter.requeue(queue, task.nextAttempt(), Duration.ZERO);
            log.warn("Task {} on channel {} attempt {} was cancelled because its consumer stopped; queued it again "
                    + "as attempt {}", task.id(), channel, task.attempt(), task.attempt() + 1);
            return;
        }

        String failure = null;
        if (cause != null) {
            failure = cause.reason();
        } else if (error != null) {
            failure = describe(error);
        }
        if (failure == null) {
            adapter.complete(queue, task.id());
            counters.onCompleted();
            log.debug("Task {} on channel {} attempt {} completed in {} ms", task.id(), channel, task.attempt(),
                    attempt.elapsedMillis());
        } else if (task.attempt() <= task.maxRetries()) {
            long delay = retryDelayMillis(task.backoffMillis(), task.attempt());
            adapter.requeue(queue, task.nextAttempt(), Duration.ofMillis(delay));
            counters.onRetried();
            log.warn("Task {} on channel {} attempt {} failed: {}; retrying in {} ms", task.id(), channel,
                    task.attempt(), failure, delay);
            if (error != null) {
                log.debug("Failure of task {} on channel {} attempt {}", task.id(), channel, task.attempt(), error);
            }
        } else {
            adapter.deadLetter(queue, deadLetter(task, failure));
            counters.onDead();
            log.error("Task {} on channel {} moved to the dead letters after attempt {} failed: {}", task.id(),
                    channel, task.attempt(), failure, error);
        }
    }

    /** Puts a task that was taken but not run back in the queue with the same attempt number. */
    private void handBack(EventQueueAdapter adapter, TaskRecord task, String reason) {
        try {
            adapter.requeue(queue, task, Duration.ZERO);
            log.debug("Task {} on channel {} attempt {} was queued again without running: {}", task.id(), channel,
                    task.attempt(), reason);
        } catch (RuntimeException e) {
            log.error("Failed to queue task {} on channel {} again; it stays in flight in the adapter", task.id(),
                    channel, e);
        }
    }

    private DeadLetter deadLetter(TaskRecord task, String failure) {
        return new DeadLetter(task.id(), channel, manager.codec().toText(task.payload()), task.attempt(), failure,
                Instant.ofEpochMilli(task.publishedAtMillis()), Instant.now(), optionsOf(task));
    }

    /** Returns the options a task was published with, clamped into the ranges that {@link TaskOptions} accepts. */
    static TaskOptions optionsOf(TaskRecord task) {
        return new TaskOptions(Duration.ofMillis(Math.max(1, task.timeoutMillis())),
                Math.min(Math.max(0, task.maxRetries()), TaskOptions.MAX_RETRIES_LIMIT),
                Duration.ofMillis(Math.max(1, task.backoffMillis())));
    }

    /** Returns {@code backoff * 2^(attempt-1)}, capped at {@value #MAX_RETRY_DELAY_MILLIS} ms. */
    static long retryDelayMillis(long backoffMillis, int attempt) {
        if (backoffMillis >= MAX_RETRY_DELAY_MILLIS) {
            return MAX_RETRY_DELAY_MILLIS;
        }
        // backoffMillis is below 2^19 here, so 20 doublings stay far below overflow and already exceed the cap.
        int doublings = Math.min(Math.max(attempt - 1, 0), 20);
        return Math.min(MAX_RETRY_DELAY_MILLIS, Math.max(0, backoffMillis) << doublings);
    }

    /** Returns the failure reason of an exception: {@code cancelled}, or its class name and message. */
    static String describe(Throwable error) {
        if (error instanceof TaskCancelledException) {
            return "cancelled";
        }
        String message = error.getMessage();
        return message == null ? error.getClass().getName() : error.getClass().getName() + ": " + message;
    }

    private void pause(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // A stray interrupt, as in take(). The loop checks stopping again.
            log.debug("Worker {} of channel {} ignored an interrupt while waiting", Thread.currentThread().getName(),
                    channel);
        }
    }
}
