package io.cohort.api.queue;

import java.util.List;

import io.cohort.api.pubsub.Subscription;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A queue of tasks per channel, for work that is long or must be retried.
 *
 * <p>Each task runs on one consumer at a time. An attempt fails when the consumer throws or when the task's timeout
 * passes; a failed task runs again after a backoff until it has failed {@code maxRetries + 1} times, and then moves
 * to the channel's dead letters. Attempts of one task never overlap. Delivery is at-least-once: a task whose node
 * stops or dies while it runs may run again, so consumers must tolerate a repeat (the {@link TaskContext#attempt()}
 * is then greater than 1).
 *
 * <p>Each plugin bundle receives its own instance, and the consumers subscribed through it stop when the bundle
 * stops: their running tasks get the cancellation signal and go back to the queue. Channel names follow the rules of
 * {@link io.cohort.api.pubsub.PubSubManager}.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
@ProviderType
public interface EventQueue {

    /**
     * Starts consuming {@code channel} with {@code consumer}; each payload is read as {@code type}.
     *
     * @throws IllegalArgumentException if the channel is invalid, the type or consumer is null, or the consumer's
     *     concurrency is not between 1 and 256
     */
    <T> Subscription subscribe(String channel, Class<T> type, TaskConsumer<T> consumer);

    /**
     * Publishes a task with the default options.
     *
     * @return the task id
     * @throws IllegalArgumentException if the channel is invalid, or the payload is null or cannot be written as JSON
     * @throws IllegalStateException if the node is stopping
     */
    String publish(String channel, Object payload);

    /**
     * Publishes a task with a timeout and retry limit.
     *
     * @return the task id
     * @throws IllegalArgumentException as {@link #publish(String, Object)}, or if the options are null
     */
    String publish(String channel, Object payload, TaskOptions options);

    /** Returns the dead letters of {@code channel}, oldest first. */
    List<DeadLetter> deadLetters(String channel);

    /**
     * Moves a dead letter back to its queue as a new first attempt.
     *
     * @return whether a dead letter with that id existed on the channel
     */
    boolean retryDeadLetter(String channel, String taskId);
}
