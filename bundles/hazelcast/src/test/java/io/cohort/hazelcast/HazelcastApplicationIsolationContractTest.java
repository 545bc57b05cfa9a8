package io.cohort.hazelcast;

import java.util.ArrayList;
import java.util.List;

import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.node.ApplicationIsolationContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/** The application isolation contract on one cluster of three Hazelcast members; ports 6041-6045. */
public class HazelcastApplicationIsolationContractTest extends ApplicationIsolationContract {

    private static TestCluster cluster;
    private static final List<HazelcastPubSubAdapter> PUB_SUB = new ArrayList<>();
    private static final List<HazelcastEventQueueAdapter> QUEUES = new ArrayList<>();

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-isolation", 6041, 3);
        for (HazelcastMember member : cluster.members()) {
            PUB_SUB.add(new HazelcastPubSubAdapter(member.instance(), member.settings()));
            QUEUES.add(new HazelcastEventQueueAdapter(member.instance(), QueueTimings.DEFAULTS));
        }
    }

    @AfterClass
    public static void stopCluster() {
        PUB_SUB.forEach(HazelcastPubSubAdapter::deactivate);
        QUEUES.forEach(HazelcastEventQueueAdapter::deactivate);
        PUB_SUB.clear();
        QUEUES.clear();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected PubSubAdapter pubSubAdapter(int node) {
        return PUB_SUB.get(node);
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
