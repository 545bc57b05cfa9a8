package io.cohort.core.node;

import java.util.Map;

/**
 * Implemented by each node-wide manager and registered as a service, so that {@code CohortNode.resources()} can sum
 * the live resources (subscriptions, consumers, running tasks, held locks, pending debounce timers) of every manager.
 */
public interface ResourceCounter {

    /** Returns the current count of each resource this manager holds, keyed like {@code pubsub.subscriptions}. */
    Map<String, Long> resourceCounts();
}
