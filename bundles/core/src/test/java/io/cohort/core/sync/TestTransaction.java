package io.cohort.core.sync;

import java.util.ArrayList;
import java.util.List;

import io.cohort.api.tx.Transaction;

/** A transaction without a database: the test ends it with {@link #commit()} or {@link #rollback()}. */
final class TestTransaction implements Transaction {

    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> afterRollback = new ArrayList<>();
    private boolean active = true;

    @Override
    public synchronized boolean isActive() {
        return active;
    }

    @Override
    public synchronized void afterCommit(Runnable callback) {
        requireActive();
        afterCommit.add(callback);
    }

    @Override
    public synchronized void afterRollback(Runnable callback) {
        requireActive();
        afterRollback.add(callback);
    }

    /** Ends the transaction and runs the after-commit callbacks in registration order, on the calling thread. */
    void commit() {
        end(afterCommit);
    }

    /** Ends the transaction and runs the after-rollback callbacks in registration order, on the calling thread. */
    void rollback() {
        end(afterRollback);
    }

    /** Returns how many callbacks of either kind were registered. */
    synchronized int callbackCount() {
        return afterCommit.size() + afterRollback.size();
    }

    private void end(List<Runnable> callbacks) {
        List<Runnable> toRun;
        synchronized (this) {
            requireActive();
            active = false;
            toRun = new ArrayList<>(callbacks);
        }
        toRun.forEach(Runnable::run);
    }

    private void requireActive() {
        if (!active) {
            throw new IllegalStateException("transaction has already ended");
        }
    }
}
