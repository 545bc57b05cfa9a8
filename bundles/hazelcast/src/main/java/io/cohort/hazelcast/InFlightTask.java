package io.cohort.hazelcast;

import io.cohort.api.spi.TaskRecord;

/**
 * A task that a member has taken and not yet settled, as the in-flight map of its queue stores it.
 *
 * @param owner the UUID of the member that took it; when that member leaves the cluster the task is queued again
 * @param takenAtMillis the taking member's clock when it took the task, in epoch milliseconds
 * @param task the task
 */
record InFlightTask(String owner, long takenAtMillis, TaskRecord task) {

    /** Compact field names, used in queries. */
    static final String OWNER_FIELD = "owner";
    static final String TAKEN_AT_FIELD = "takenAtMillis";
}
