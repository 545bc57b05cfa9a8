package io.cohort.samples.tasks;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One row of the table {@value TaskTable#TABLE}.
 *
 * @param id the task id that {@code tasks:submit} printed
 * @param kind a label the user chose, for example {@code report}
 * @param steps how many steps the task runs
 * @param status its state
 * @param progress how many steps have completed, 0 to {@code steps}
 * @param node the node that runs or last ran it, or empty before the first run
 * @param attempt the queue attempt that runs or last ran it, 0 before the first run
 * @param cancelRequested whether {@code tasks:cancel} asked for it to stop
 * @param createdAt when it was submitted
 * @param message what happened last, for people
 */
public record TaskRow(String id, String kind, int steps, TaskStatus status, int progress, String node, int attempt,
        boolean cancelRequested, Instant createdAt, String message) {

    /** The largest number of steps of one task. */
    static final int MAX_STEPS = 10_000;

    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /**
     * Returns a new queued row.
     *
     * @throws IllegalArgumentException if the kind is not a lower-case letter followed by up to 31 lower-case
     *     letters, digits or '-', or the steps are not 1 to {@value #MAX_STEPS}
     */
    static TaskRow queued(String id, String kind, int steps, String submitter, Instant now) {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("kind '" + kind + "' is invalid; expected a lower-case letter "
                    + "followed by up to 31 lower-case letters, digits or '-'");
        }
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("steps " + steps + " is invalid; expected 1 to " + MAX_STEPS);
        }
        return new TaskRow(id, kind, steps, TaskStatus.QUEUED, 0, "", 0, false, now,
                "submitted on node " + submitter);
    }

    /** Returns the progress as {@code done/steps} with the percentage, for example {@code 3/10 30%}. */
    String progressText() {
        return progress + "/" + steps + " " + (progress * 100 / steps) + "%";
    }
}
