package io.cohort.core.lock;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The leases one bundle holds now, so that they can be released when the bundle stops, and the threads of the bundle
 * that wait for a key, so that the stop can end their waits. Once closed, it accepts no new lease and no new wait,
 * so a grant that races with the bundle's stop cannot outlive it.
 */
final class LockOwner {

    private final String name;
    private final Set<Lease> leases = new HashSet<>();
    private final Set<Thread> waiting = new HashSet<>();
    private boolean closed;

    LockOwner(String name) {
        this.name = name;
    }

    /** Adds a lease and returns true, or returns false if this owner is closed. */
    synchronized boolean add(Lease lease) {
        if (closed) {
            return false;
        }
        leases.add(lease);
        return true;
    }

    synchronized void remove(Lease lease) {
        leases.remove(lease);
    }

    /** Records that the calling thread waits for a key, and returns false if this owner is closed. */
    synchronized boolean startWaiting() {
        if (closed) {
            return false;
        }
        waiting.add(Thread.currentThread());
        return true;
    }

    /** Records that the calling thread no longer waits for a key. */
    synchronized void stopWaiting() {
        waiting.remove(Thread.currentThread());
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Closes this owner, interrupts the threads that wait for a key, so that their requests end, and returns the
     * leases it still holds.
     */
    synchronized List<Lease> close() {
        closed = true;
        for (Thread thread : waiting) {
            thread.interrupt();
        }
        waiting.clear();
        List<Lease> remaining = new ArrayList<>(leases);
        leases.clear();
        return remaining;
    }

    synchronized int size() {
        return leases.size();
    }

    @Override
    public String toString() {
        return name;
    }
}
