package io.cohort.core.queue;

import java.time.Instant;

import io.cohort.api.queue.TaskCancelledException;
import io.cohort.api.queue.TaskContext;
import io.cohort.api.spi.TaskRecord;

/**
 * One attempt of a task on a worker thread, and the cancellation state that its timeout and a consumer stop share.
 *
 * <p>The worker interrupt is sent under this object's monitor and only before {@link #finish()}, so an interrupt
 * meant for this attempt never reaches the worker's next take or the next attempt.
 */
final class TaskAttempt implements TaskContext {

    /** Cause of an attempt's cancellation. */
    enum Cause {
        /** The task's timeout passed. The attempt fails and is retried or dead-lettered. */
        TIMEOUT("timeout"),
        /** The consumer stopped. The task goes back to the queue as its next attempt. */
        STOP("cancelled");

        private final String reason;

        Cause(String reason) {
            this.reason = reason;
        }

        /** Returns the failure reason recorded for the attempt, as in {@code DeadLetter.lastError}. */
        String reason() {
            return reason;
        }
    }

    private final TaskRecord task;
    private final Thread worker;
    private final long startedNanos = System.nanoTime();
    private volatile Cause cancelCause;
    private boolean finished;

    TaskAttempt(TaskRecord task, Thread worker) {
        this.task = task;
        this.worker = worker;
    }

    @Override
    public String taskId() {
        return task.id();
    }

    @Override
    public String channel() {
        return task.channel();
    }

    @Override
    public int attempt() {
        return task.attempt();
    }

    @Override
    public int maxRetries() {
        return task.maxRetries();
    }

    @Override
    public Instant publishedAt() {
        return Instant.ofEpochMilli(task.publishedAtMillis());
    }

    @Override
    public boolean isCancelled() {
        return cancelCause != null;
    }

    @Override
    public void throwIfCancelled() throws TaskCancelledException {
        Cause cause = cancelCause;
        if (cause != null) {
            throw new TaskCancelledException("task " + task.id() + " on channel " + task.channel() + ", attempt "
                    + task.attempt() + ", was cancelled: " + cause.reason());
        }
    }

    /**
     * Sets the cancellation flag and interrupts the worker, unless the attempt already finished or was cancelled.
     *
     * @return whether this call cancelled the attempt
     */
    synchronized boolean cancel(Cause cause) {
        if (finished || cancelCause != null) {
            return false;
        }
        cancelCause = cause;
        worker.interrupt();
        return true;
    }

    /** Marks the attempt finished, so that a later {@link #cancel} neither flags nor interrupts it. */
    synchronized void finish() {
        finished = true;
    }

    /** Returns the cause of the cancellation, or null if the attempt was not cancelled. */
    Cause cancelCause() {
        return cancelCause;
    }

    TaskRecord task() {
        return task;
    }

    Thread worker() {
        return worker;
    }

    long elapsedMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
