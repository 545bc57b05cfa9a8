package io.cohort.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.pubsub.StartWindowContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The start window contract on real Hazelcast members, ports 6131-6135. One member runs for the whole class, and each
 * test starts a member that joins it and kills that member at its end.
 */
public class HazelcastStartWindowContractTest extends StartWindowContract {

    private static TestCluster cluster;
    private static HazelcastPubSubAdapter early;

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-start-window", 6131, 1);
        early = new HazelcastPubSubAdapter(cluster.member(0));
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

    @Test
    public void listenSinceJoin_publishBeforeAdapter_replayed() {
        HazelcastMember member = cluster.addMember();
        String topic = "shop:events-member-joined";
        early.publish(topic, new Envelope("m-1", "early", System.currentTimeMillis(), false, new byte[] {'1'}));
        HazelcastPubSubAdapter late = new HazelcastPubSubAdapter(member);
        List<String> received = new CopyOnWriteArrayList<>();
        try {
            late.listenSinceJoin(topic, envelope -> received.add(envelope.id()));

            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 1);
            assertEquals(List.of("m-1"), received);
        } finally {
            late.deactivate();
            cluster.kill(member);
        }
    }

    @Override
    protected PubSubAdapter earlyNode() {
        return early;
    }

    @Override
    protected PubSubAdapter joinNode() {
        HazelcastMember member = cluster.addMember();
        HazelcastPubSubAdapter late = new HazelcastPubSubAdapter(member);
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
