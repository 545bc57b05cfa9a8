package io.cohort.hazelcast;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.hazelcast.collection.ItemEvent;
import com.hazelcast.collection.ItemListener;

import io.cohort.api.spi.TaskRecord;

/**
 * Wakes this member's takers of one queue when a task is added to its ready queue anywhere in the cluster. Takers
 * wait here instead of inside a transaction, so an idle consumer costs no grid operations while it waits.
 */
final class ReadySignal implements ItemListener<TaskRecord> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private long generation;

    /**
     * Wakes one waiting taker per added task: waking all of them would make each run a transaction that finds the
     * queue empty again. A taker that wakes always looks at the queue before it gives up, so the wake-up is not
     * lost, and {@link Condition#signal()} skips a taker whose wait already ended by interrupt or timeout.
     */
    @Override
    public void itemAdded(ItemEvent<TaskRecord> event) {
        lock.lock();
        try {
            generation++;
            added.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void itemRemoved(ItemEvent<TaskRecord> event) {
        // Removals free no task for anyone.
    }

    /** Returns a value that changes each time a task is added; read it before looking at the queue. */
    long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a task was added after {@code seen} was read, or {@code nanos} pass. */
    void awaitAdded(long seen, long nanos) throws InterruptedException {
        long remaining = nanos;
        lock.lockInterruptibly();
        try {
            while (generation == seen && remaining > 0) {
                remaining = added.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Returns how many takers wait in {@link #awaitAdded} now. */
    int waitingTakers() {
        lock.lock();
        try {
            return lock.getWaitQueueLength(added);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting taker, so that they look at the queue again. */
    void wakeAll() {
        lock.lock();
        try {
            generation++;
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
