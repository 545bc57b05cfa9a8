package io.cohort.api.admin;

/**
 * The state of one event queue channel on one node. {@code pending} and {@code deadLetters} are read from the queue
 * adapter and so describe the whole queue, which all nodes share. The other counts are the node's own, since its
 * core started.
 *
 * @param nodeId the node this row comes from
 * @param channel the channel, without the application prefix
 * @param consumers the consumers subscribed on the node
 * @param running the task attempts running on the node now
 * @param pending the tasks waiting in the queue, delayed retries included, or -1 when the adapter is not registered
 * @param deadLetters the dead letters in the queue now, or -1 when the adapter is not registered
 * @param published the tasks the node published
 * @param completed the tasks the node's consumers completed
 * @param retried the failed attempts the node's consumers queued again for a retry
 * @param deadLettered the tasks the node's consumers moved to the dead letters
 */
public record QueueView(String nodeId, String channel, int consumers, int running, long pending, long deadLetters,
        long published, long completed, long retried, long deadLettered) {
}
