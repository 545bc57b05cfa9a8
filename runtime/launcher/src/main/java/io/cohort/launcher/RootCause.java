package io.cohort.launcher;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** Names the deepest cause of an error, which the framework's own messages often leave to the stack trace. */
final class RootCause {

    private RootCause() {
    }

    /**
     * Returns the class and message of the deepest cause of {@code error}, such as
     * {@code IOException: No space left on device}, or {@code null} when {@code error} has no cause.
     */
    static String describe(Throwable error) {
        if (error == null) {
            return null;
        }
        // A cause chain can loop back (H2 2.3.232's MVStoreException and its IOException are each other's cause), so
        // the walk stops at the first cause seen before.
        Throwable root = error;
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(error);
        while (root.getCause() != null && seen.add(root.getCause())) {
            root = root.getCause();
        }
        return root == error ? null : root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
