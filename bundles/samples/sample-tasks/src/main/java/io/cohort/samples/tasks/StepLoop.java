package io.cohort.samples.tasks;

import java.time.Duration;

import io.cohort.api.queue.TaskCancelledException;
import io.cohort.api.queue.TaskContext;

/** Runs the steps of one task and reports each completed step. Each step waits {@code stepTime}. */
final class StepLoop {

    /** The end of a run that threw no exception. */
    enum Outcome {
        /** Every step ran. */
        DONE,
        /** The cancellation signal stopped it. */
        CANCELLED
    }

    /** Receives the number of completed steps after each step. */
    @FunctionalInterface
    interface ProgressSink {

        /**
         * Stores the progress.
         *
         * @return whether the stored row requests a cancel, which then sets the cancellation signal
         */
        boolean report(int completed) throws Exception;
    }

    private StepLoop() {
    }

    /**
     * Runs steps {@code from + 1} to {@code steps}, reporting each, until the last one or until the signal is set.
     *
     * @throws TaskCancelledException if the queue cancelled the attempt (timeout or node stop). The interrupt flag
     *     is then cleared, so the caller can still write the row. The queue runs the task again.
     */
    static Outcome run(int from, int steps, Duration stepTime, CancellationSignal signal, TaskContext context,
            ProgressSink sink, String cancelReasonFromRow) throws Exception {
        for (int completed = from; completed < steps; completed++) {
            try {
                if (signal.isCancelled() || signal.await(stepTime)) {
                    return Outcome.CANCELLED;
                }
            } catch (InterruptedException e) {
                // The queue interrupts the worker when it cancels the attempt. The flag stays cleared, because the
                // attempt ends here with TaskCancelledException, which reports the same cancel to the queue.
                throw new TaskCancelledException("task " + context.taskId() + " interrupted at step "
                        + (completed + 1) + " of " + steps);
            }
            context.throwIfCancelled();
            if (sink.report(completed + 1)) {
                signal.cancel(cancelReasonFromRow);
            }
        }
        return Outcome.DONE;
    }
}
