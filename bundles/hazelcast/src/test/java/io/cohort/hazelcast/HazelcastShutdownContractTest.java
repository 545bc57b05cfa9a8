package io.cohort.hazelcast;

import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.node.ShutdownContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/** The shutdown contract on a cluster of two Hazelcast members; ports 6051-6055. */
public class HazelcastShutdownContractTest extends ShutdownContract {

    private static AdapterCluster cluster;

    @BeforeClass
    public static void startCluster() {
        cluster = AdapterCluster.start("cohort-test-shutdown", 6051, 2);
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected PubSubAdapter pubSubAdapter(int node) {
        return cluster.pubSub(node);
    }

    @Override
    protected EventQueueAdapter queueAdapter(int node) {
        return cluster.queue(node);
    }

    @Override
    protected String adapterName() {
        return HazelcastMember.ADAPTER_NAME;
    }
}
