package io.cohort.api.queue;

import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/** What a consumer knows about the attempt it runs. */
@ProviderType
public interface TaskContext {

    /** Returns the task id that {@link EventQueue#publish} returned. */
    String taskId();

    /** Returns the channel, without the application prefix. */
    String channel();

    /** Returns the attempt number, 1 for the first run. */
    int attempt();

    /** Returns the maximum number of retries after the first attempt. */
    int maxRetries();

    /** Returns when the task was published. */
    Instant publishedAt();

    /** Returns whether this attempt was cancelled, by its timeout, by an operator or by shutdown. */
    boolean isCancelled();

    /**
     * Throws {@link TaskCancelledException} if this attempt was cancelled; long loops call it between steps.
     */
    void throwIfCancelled() throws TaskCancelledException;
}
