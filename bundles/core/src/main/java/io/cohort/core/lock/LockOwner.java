package io.cohort.core.lock;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The leases one bundle holds now, so that they can be released when the bundle stops. Once closed, it accepts no
 * new lease, so a grant that races with the bundle's stop cannot outlive it.
 */
final class LockOwner {

    private final String name;
    private final Set<Lease> leases = new HashSet<>();
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

    /** Closes this owner and returns the leases it still holds. */
    synchronized List<Lease> close() {
        closed = true;
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
