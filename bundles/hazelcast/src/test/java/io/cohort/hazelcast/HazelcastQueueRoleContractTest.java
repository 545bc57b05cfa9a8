package io.cohort.hazelcast;

import java.util.ArrayList;
import java.util.List;

import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.core.queue.QueueRoleContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/** The worker role contract on three Hazelcast members; ports 6046-6050. */
public class HazelcastQueueRoleContractTest extends QueueRoleContract {

    private static TestCluster cluster;
    private static final List<HazelcastEventQueueAdapter> QUEUES = new ArrayList<>();

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-queue-role", 6046, 3);
        for (HazelcastMember member : cluster.members()) {
            QUEUES.add(new HazelcastEventQueueAdapter(member.instance(), QueueTimings.DEFAULTS));
        }
    }

    @AfterClass
    public static void stopCluster() {
        QUEUES.forEach(HazelcastEventQueueAdapter::deactivate);
        QUEUES.clear();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected EventQueueAdapter queueAdapter(int node) {
        return QUEUES.get(node);
    }

    @Override
    protected String adapterName() {
        return HazelcastMember.ADAPTER_NAME;
    }
}
