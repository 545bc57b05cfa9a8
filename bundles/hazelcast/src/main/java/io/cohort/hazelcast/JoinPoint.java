package io.cohort.hazelcast;

import java.util.HashMap;
import java.util.Map;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.Ringbuffer;

/**
 * The point at which a member joined its cluster: the time, and the last sequence of the ringbuffer behind every
 * Cohort topic that the member saw then. Messages of such a topic after that sequence were published after the join.
 * The record can miss topics that existed, since a new member learns of them from the others shortly after joining.
 *
 * @param joinedAtMillis when the member joined, in epoch milliseconds of this node's clock
 * @param lastSequences the last sequence of each topic's ringbuffer at the join, keyed by Cohort topic name
 */
record JoinPoint(long joinedAtMillis, Map<String, Long> lastSequences) {

    /**
     * Records the join point of {@code instance}, which must have just joined. It reads one sequence per existing
     * topic, each a call to the member that owns the topic's partition.
     */
    static JoinPoint record(HazelcastInstance instance) {
        long now = System.currentTimeMillis();
        String prefix = GridNames.RELIABLE_TOPIC_RINGBUFFER_PREFIX + GridNames.TOPIC_PREFIX;
        Map<String, Long> sequences = new HashMap<>();
        for (DistributedObject object : instance.getDistributedObjects()) {
            if (object instanceof Ringbuffer<?> ringbuffer && object.getName().startsWith(prefix)) {
                sequences.put(object.getName().substring(prefix.length()), ringbuffer.tailSequence());
            }
        }
        return new JoinPoint(now, Map.copyOf(sequences));
    }
}
