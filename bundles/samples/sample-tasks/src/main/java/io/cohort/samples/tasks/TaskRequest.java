package io.cohort.samples.tasks;

/**
 * The payload of a task on the queue channel {@value TasksPlugin#QUEUE_CHANNEL}. The row contains the rest, so that
 * a repeat of the task reads its progress from the database.
 *
 * @param taskId the id of the task row
 */
public record TaskRequest(String taskId) {
}
