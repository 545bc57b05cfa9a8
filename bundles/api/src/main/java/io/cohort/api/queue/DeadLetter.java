package io.cohort.api.queue;

import java.time.Instant;

/**
 * A task that failed on every attempt.
 *
 * @param taskId the task id
 * @param channel the channel, without the application prefix
 * @param payloadJson the payload as JSON text
 * @param attempts how many attempts ran
 * @param lastError the reason of the last failure: {@code timeout}, {@code cancelled} or the exception's class and
 *     message
 * @param publishedAt when the task was published
 * @param deadAt when the last attempt failed
 * @param options the task's timeout, retry limit and backoff, which {@link EventQueue#retryDeadLetter} reuses
 */
public record DeadLetter(String taskId, String channel, String payloadJson, int attempts, String lastError,
        Instant publishedAt, Instant deadAt, TaskOptions options) {
}
