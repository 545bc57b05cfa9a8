package io.cohort.hazelcast;

import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.pubsub.StartWindowContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/**
 * The start window contract on real Hazelcast members: one member runs for the whole class, and each test starts a
 * member that joins it and kills that member at its end; ports 6131-6135.
 */
public class HazelcastStartWindowContractTest extends StartWindowContract {

    private static TestCluster cluster;
    private static HazelcastPubSubAdapter early;

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-start-window", 6131, 1);
        early = new HazelcastPubSubAdapter(cluster.member(0).instance(), cluster.member(0).settings());
    }

    @AfterClass
    public static void stopCluster() {
        if (early != null) {
            early.deactivate();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected PubSubAdapter earlyNode() {
        return early;
    }

    @Override
    protected PubSubAdapter joinNode() {
        HazelcastMember member = cluster.addMember();
        HazelcastPubSubAdapter late = new HazelcastPubSubAdapter(member.instance(), member.settings());
        atEnd(() -> {
            late.deactivate();
            cluster.kill(member);
        });
        return late;
    }

    @Override
    protected String adapterName() {
        return HazelcastMember.ADAPTER_NAME;
    }
}
