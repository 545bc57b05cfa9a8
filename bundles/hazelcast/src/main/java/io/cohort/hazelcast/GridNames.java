package io.cohort.hazelcast;

/**
 * Names of the Hazelcast data structures behind Cohort's adapters. Each kind has its own prefix, so a configuration
 * in {@code hazelcast.yaml} can target one kind with a wildcard such as {@code cohort.cache.*}. Region, topic, queue
 * and lock names contain only {@code A-Z a-z 0-9 . _ - : /}, so no two structures of one kind share a name.
 */
final class GridNames {

    static final String CACHE_PREFIX = "cohort.cache.";
    static final String TOPIC_PREFIX = "cohort.topic.";
    static final String LOCK_PREFIX = "cohort.lock.";
    static final String READY_PREFIX = "cohort.queue.ready.";
    static final String IN_FLIGHT_PREFIX = "cohort.queue.inflight.";
    static final String DELAYED_PREFIX = "cohort.queue.delayed.";
    static final String DEAD_PREFIX = "cohort.queue.dead.";

    /** IMap of every counter of every application, keyed {@code <app>:<counter>}. */
    static final String COUNTER_MAP = "cohort.counters";

    /** IMap of every queue name seen by any member, so that each member maintains every queue. */
    static final String QUEUE_REGISTRY = "cohort.queue.registry";

    /** Prefix that Hazelcast 5.4 gives the ringbuffer behind a reliable topic; its configuration omits it. */
    static final String RELIABLE_TOPIC_RINGBUFFER_PREFIX = "_hz_rb_";

    private GridNames() {
    }

    static String cacheMap(String region) {
        return CACHE_PREFIX + region;
    }

    static String topic(String topic) {
        return TOPIC_PREFIX + topic;
    }

    static String lock(String key) {
        return LOCK_PREFIX + key;
    }

    static String readyQueue(String queue) {
        return READY_PREFIX + queue;
    }

    static String inFlightMap(String queue) {
        return IN_FLIGHT_PREFIX + queue;
    }

    static String delayedMap(String queue) {
        return DELAYED_PREFIX + queue;
    }

    static String deadLetterMap(String queue) {
        return DEAD_PREFIX + queue;
    }
}
