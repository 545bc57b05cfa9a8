package io.cohort.api.queue;

/** Thrown by {@link TaskContext#throwIfCancelled()} when the attempt was cancelled. */
public class TaskCancelledException extends Exception {

    private static final long serialVersionUID = 1L;

    public TaskCancelledException(String message) {
        super(message);
    }
}
