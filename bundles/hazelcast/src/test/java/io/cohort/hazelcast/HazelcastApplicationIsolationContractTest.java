package io.cohort.hazelcast;

import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.node.ApplicationIsolationContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/** The application isolation contract on one cluster of three Hazelcast members; ports 6041-6045. */
public class HazelcastApplicationIsolationContractTest extends ApplicationIsolationContract {

    private static AdapterCluster cluster;

    @BeforeClass
    public static void startCluster() {
        cluster = AdapterCluster.start("cohort-test-isolation", 6041, 3);
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
