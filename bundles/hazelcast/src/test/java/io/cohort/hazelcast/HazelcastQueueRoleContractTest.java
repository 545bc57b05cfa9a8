package io.cohort.hazelcast;

import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.core.queue.QueueRoleContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/** The worker role contract on three Hazelcast members; ports 6046-6050. */
public class HazelcastQueueRoleContractTest extends QueueRoleContract {

    private static AdapterCluster cluster;

    @BeforeClass
    public static void startCluster() {
        cluster = AdapterCluster.start("cohort-test-queue-role", 6046, 3);
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
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
