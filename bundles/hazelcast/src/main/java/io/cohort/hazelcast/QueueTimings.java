package io.cohort.hazelcast;

import java.time.Duration;

/**
 * How often each member maintains the queues.
 *
 * @param pumpInterval how often each member moves its due delayed retries to the ready queues; a retry becomes
 *     ready up to this late. Lower costs one local query per queue more often
 * @param sweepInterval how often each member looks for in-flight tasks whose member is gone, besides reacting to
 *     members leaving. The sweep catches tasks that the reaction missed during partition migration
 * @param orphanGrace how old an in-flight task must be before a sweep requeues it. It covers a member that took a
 *     task just after joining, before every member lists it, and clock differences between hosts
 */
record QueueTimings(Duration pumpInterval, Duration sweepInterval, Duration orphanGrace) {

    static final QueueTimings DEFAULTS = new QueueTimings(Duration.ofMillis(250), Duration.ofSeconds(5),
            Duration.ofSeconds(10));
}
