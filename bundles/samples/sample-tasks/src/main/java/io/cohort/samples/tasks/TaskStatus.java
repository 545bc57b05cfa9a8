package io.cohort.samples.tasks;

/** The states of a task row. */
public enum TaskStatus {

    /** Stored and published; no node runs it yet, or its node stopped and the queue has it again. */
    QUEUED,

    /** A node runs it; the row names the node and the attempt. */
    RUNNING,

    /** Every step ran. */
    DONE,

    /** Stopped by {@code tasks:cancel} before its last step. */
    CANCELLED,

    /** Could not be queued. */
    FAILED;

    /** Returns whether the task has ended and no node will run it again. */
    boolean isFinal() {
        return this == DONE || this == CANCELLED || this == FAILED;
    }
}
