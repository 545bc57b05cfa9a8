package io.cohort.hazelcast;

import io.cohort.api.spi.TaskRecord;

/**
 * A retry waiting for its due time, as the delayed map of its queue stores it.
 *
 * @param dueAtMillis when the task becomes ready, on the requeuing member's clock in epoch milliseconds
 * @param task the task
 */
record DelayedTask(long dueAtMillis, TaskRecord task) {

    /** Compact field name, used in queries. */
    static final String DUE_AT_FIELD = "dueAtMillis";
}
