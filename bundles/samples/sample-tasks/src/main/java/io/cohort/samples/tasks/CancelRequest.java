package io.cohort.samples.tasks;

/**
 * The pub/sub message on {@value TasksPlugin#CANCEL_CHANNEL} that requests the node running a task to stop it.
 *
 * @param taskId the task to stop
 * @param requestedBy the node where {@code tasks:cancel} ran
 */
public record CancelRequest(String taskId, String requestedBy) {
}
