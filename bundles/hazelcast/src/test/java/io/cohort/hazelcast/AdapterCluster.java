package io.cohort.hazelcast;

import java.util.ArrayList;
import java.util.List;

/**
 * Embedded members on loopback with a Hazelcast pub/sub adapter and event queue adapter on each, for the contract
 * tests that drive the managers of several nodes through their adapters.
 */
final class AdapterCluster implements AutoCloseable {

    private final TestCluster cluster;
    private final List<HazelcastPubSubAdapter> pubSub = new ArrayList<>();
    private final List<HazelcastEventQueueAdapter> queues = new ArrayList<>();

    private AdapterCluster(TestCluster cluster) {
        this.cluster = cluster;
        for (HazelcastMember member : cluster.members()) {
            pubSub.add(new HazelcastPubSubAdapter(member));
            queues.add(new HazelcastEventQueueAdapter(member.instance(), QueueTimings.DEFAULTS));
        }
    }

    /** Starts {@code size} members of cluster {@code name} on ports from {@code basePort} and their adapters. */
    static AdapterCluster start(String name, int basePort, int size) {
        return new AdapterCluster(TestCluster.start(name, basePort, size));
    }

    HazelcastPubSubAdapter pubSub(int node) {
        return pubSub.get(node);
    }

    HazelcastEventQueueAdapter queue(int node) {
        return queues.get(node);
    }

    /** Stops the adapters, then the members. */
    @Override
    public void close() {
        pubSub.forEach(HazelcastPubSubAdapter::deactivate);
        queues.forEach(HazelcastEventQueueAdapter::deactivate);
        cluster.close();
    }
}
