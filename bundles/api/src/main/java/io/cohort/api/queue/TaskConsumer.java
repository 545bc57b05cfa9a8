package io.cohort.api.queue;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs the tasks of a channel.
 *
 * @param <T> the payload type
 */
@ConsumerType
public interface TaskConsumer<T> {

    /**
     * Returns whether this node may take a task now. It is asked before each task is taken; while it returns false,
     * tasks stay queued for other nodes or for later. It must be fast and must not block.
     */
    default boolean idle() {
        return true;
    }

    /** Returns how many tasks this consumer runs at once on this node, from 1 to 256. Read once, at subscribe. */
    default int concurrency() {
        return 1;
    }

    /**
     * Runs one attempt of a task, on a Cohort worker thread.
     *
     * <p>Return normally to complete the task. Throw to fail the attempt. When the task's timeout passes or the task
     * is cancelled, {@link TaskContext#isCancelled()} becomes true and the thread is interrupted; the attempt counts
     * as failed even if this method then returns normally.
     *
     * <p><b>Warning:</b> Cohort cannot stop a call that ignores both the flag and the interrupt. Such a call keeps
     * its worker thread, and so one unit of {@link #concurrency()}, until it returns, and the task's next attempt is
     * queued only after that.
     */
    void process(T payload, TaskContext context) throws Exception;
}
