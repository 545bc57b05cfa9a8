package io.cohort.samples.tasks;

import java.time.Instant;

import io.cohort.api.queue.TaskCancelledException;
import io.cohort.api.queue.TaskContext;

/** The first attempt of a task on the sample's queue channel, cancelled only when a test calls {@link #cancel()}. */
final class FakeTaskContext implements TaskContext {

    private final String taskId;
    private volatile boolean cancelled;

    FakeTaskContext() {
        this("queue-task-1");
    }

    FakeTaskContext(String taskId) {
        this.taskId = taskId;
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public String taskId() {
        return taskId;
    }

    @Override
    public String channel() {
        return TasksPlugin.QUEUE_CHANNEL;
    }

    @Override
    public int attempt() {
        return 1;
    }

    @Override
    public int maxRetries() {
        return 3;
    }

    @Override
    public Instant publishedAt() {
        return Instant.EPOCH;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void throwIfCancelled() throws TaskCancelledException {
        if (cancelled) {
            throw new TaskCancelledException("cancelled by the test");
        }
    }
}
