package io.cohort.api.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.cohort.api.queue.DeadLetter;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Stores the tasks of each queue ({@code <app.name>:<channel>}). The event queue manager runs consumers, timeouts
 * and the retry policy; the adapter keeps tasks safe between {@link #take} and the call that settles them
 * ({@link #complete}, {@link #requeue} or {@link #deadLetter}), so that a task taken by a node that dies is not
 * lost.
 */
@ConsumerType
public interface EventQueueAdapter {

    /** Appends {@code task} to {@code queue}. */
    void offer(String queue, TaskRecord task);

    /**
     * Takes the next ready task of {@code queue}, waiting up to {@code wait} for one.
     *
     * @return the task, now in flight for this node, or {@code null} when none arrived in time
     */
    TaskRecord take(String queue, Duration wait) throws InterruptedException;

    /** Settles an in-flight task as done. */
    void complete(String queue, String taskId);

    /** Settles an in-flight task by queueing {@code next} (usually its next attempt) after {@code delay}. */
    void requeue(String queue, TaskRecord next, Duration delay);

    /** Settles an in-flight task by storing it as a dead letter. */
    void deadLetter(String queue, DeadLetter letter);

    /** Returns the dead letters of {@code queue}, oldest first. */
    List<DeadLetter> deadLetters(String queue);

    /** Removes and returns the dead letter {@code taskId} of {@code queue}. */
    Optional<DeadLetter> removeDeadLetter(String queue, String taskId);

    /** Returns how many tasks wait in {@code queue}, delayed retries included. */
    long pending(String queue);

    /**
     * Returns the names of the queues, of every application, that this adapter stores tasks or dead letters for,
     * including queues that no consumer reads, such as those restored when the adapter started. The set may also
     * name queues that are empty now. Operators list queues through it, so it must not create or change a queue.
     * The default returns an empty set, so that only the queues a node published or consumed on are listed.
     */
    default Set<String> queueNames() {
        return Set.of();
    }
}
