package io.cohort.jdbc.outbox;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.api.sync.SyncMessage;
import io.cohort.api.sync.SyncOptions;
import io.cohort.api.tx.Transaction;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.sync.SyncCounters;
import io.cohort.jdbc.TestDatabase;
import io.cohort.jdbc.TestNode;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Durable sync messages between simulated nodes that share one database and one bus, run on each database by a
 * subclass. Node A writes; its relay is never started, as if it died right after the commit.
 */
public abstract class AbstractOutboxTest {

    private static final Duration QUIET = Duration.ofMillis(500);
    private static final String TOPIC = TestNode.APP + ":#sync:orders";

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Rule
    public final TestDatabase database = database();

    private final LocalBus bus = new LocalBus();
    private final List<TestNode> nodes = new ArrayList<>();

    /** How many times each message id was published on the bus, by any node. */
    private final Map<String, AtomicInteger> published = new ConcurrentHashMap<>();

    record Order(String id, int quantity) {
    }

    protected abstract TestDatabase database();

    @After
    public void stopNodes() {
        nodes.forEach(TestNode::close);
    }

    @Test
    public void unrelayedRow_otherRelay_deliversOnce() throws Exception {
        TestNode nodeA = node("node-a", 100);
        TestNode nodeB = node("node-b", 100);
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        nodeB.sync.subscribe("bundle-b", "orders", received::add, subscription -> { });
        countPublished();

        nodeA.transactions.run(tx -> nodeA.sync.publish("orders", new Order("o-1", 2), SyncOptions.durable(tx)));
        await().during(QUIET).until(received::isEmpty);
        assertEquals(1, pending(nodeA));
        nodeB.relay.start();

        await().until(() -> received.size() == 1);
        assertEquals(new Order("o-1", 2), received.get(0).payload(Order.class));
        assertEquals("node-a", received.get(0).sourceNode());
        await().until(() -> pending(nodeA) == 0);
        await().during(QUIET).until(() -> received.size() == 1);
        assertEquals(Map.of(received.get(0).id(), 1), counts());
    }

    @Test
    public void rolledBack_durable_leavesNoRow() throws Exception {
        TestNode nodeA = node("node-a", 100);
        TestNode nodeB = node("node-b", 100);
        AtomicInteger received = new AtomicInteger();
        nodeB.sync.subscribe("bundle-b", "orders", message -> received.incrementAndGet(), subscription -> { });
        nodeB.relay.start();

        for (int i = 0; i < 20; i++) {
            int quantity = i;
            assertThrows(IllegalStateException.class, () -> nodeA.transactions.run(tx -> {
                nodeA.sync.publish("orders", new Order("o-" + quantity, quantity), SyncOptions.durable(tx));
                throw new IllegalStateException("rollback for the test");
            }));
        }

        assertEquals(0, pending(nodeA));
        await().during(QUIET).until(() -> received.get() == 0);
    }

    @Test
    public void sender_ownRelay_deliversWithoutWaitingForInterval() throws Exception {
        TestNode nodeA = node("node-a", 100);
        TestNode nodeB = node("node-b", 100);
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        nodeB.sync.subscribe("bundle-b", "orders", received::add, subscription -> { });
        List<SyncMessage> receivedBySender = new CopyOnWriteArrayList<>();
        nodeA.sync.subscribe("bundle-a", "orders", receivedBySender::add, subscription -> { });
        nodeA.relay.start();

        nodeA.transactions.run(tx -> {
            nodeA.sync.publish("orders", new Order("o-1", 1), SyncOptions.durable(tx));
            nodeA.sync.publish("orders", new Order("o-2", 2), SyncOptions.durable(tx));
        });

        await().until(() -> received.size() == 2);
        assertEquals(List.of(new Order("o-1", 1), new Order("o-2", 2)),
                received.stream().map(message -> message.payload(Order.class)).toList());
        await().during(QUIET).until(receivedBySender::isEmpty);
    }

    @Test
    public void twoRelaysAtOnce_publishEachRowOnce() throws Exception {
        TestNode nodeA = node("node-a", 5);
        TestNode nodeB = node("node-b", 5);
        TestNode nodeC = node("node-c", 5);
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        nodeB.sync.subscribe("bundle-b", "orders", received::add, subscription -> { });
        countPublished();
        int rows = 300;
        for (int i = 0; i < rows; i += 10) {
            int first = i;
            nodeA.transactions.run(tx -> {
                for (int j = first; j < first + 10; j++) {
                    nodeA.sync.publish("orders", new Order("o-" + j, j), SyncOptions.durable(tx));
                }
            });
        }

        nodeB.relay.start();
        nodeC.relay.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> pending(nodeA) == 0);
        await().until(() -> received.size() == rows);
        Map<String, Integer> counts = counts();
        assertEquals(rows, counts.size());
        assertEquals(List.of(1), counts.values().stream().distinct().toList());
        assertEquals(0, duplicates(nodeB));
        // How the rows split between the two relays depends on scheduling (on a loaded machine one relay may claim
        // them all), so only the total is checked.
        assertEquals(rows, nodeB.relayed.get() + nodeC.relayed.get());
    }

    @Test
    public void relayDiedBeforeDelete_handledOnce() throws Exception {
        TestNode nodeA = node("node-a", 100);
        TestNode nodeB = node("node-b", 100);
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        nodeB.sync.subscribe("bundle-b", "orders", received::add, subscription -> { });
        countPublished();
        nodeA.transactions.run(tx -> nodeA.sync.publish("orders", new Order("o-1", 1), SyncOptions.durable(tx)));
        publishWithoutDeleting(nodeA);
        await().until(() -> received.size() == 1);

        nodeB.relay.start();

        await().until(() -> pending(nodeA) == 0);
        assertEquals(Map.of(received.get(0).id(), 2), counts());
        await().until(() -> duplicates(nodeB) == 1);
        await().during(QUIET).until(() -> received.size() == 1);
    }

    @Test
    public void adapterMissing_rowsWait_thenDelivered() throws Exception {
        TestNode nodeA = node("node-a", 100);
        TestNode nodeB = node("node-b", 100);
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        nodeB.sync.subscribe("bundle-b", "orders", received::add, subscription -> { });
        AtomicInteger failuresLeft = new AtomicInteger(3);
        PubSubAdapter flaky = new PubSubAdapter() {
            @Override
            public void publish(String topic, Envelope envelope) {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new IllegalStateException("adapter failure for the test");
                }
                bus.publish(topic, envelope);
            }

            @Override
            public Registration listen(String topic, Consumer<Envelope> listener) {
                return bus.listen(topic, listener);
            }

            @Override
            public long joinedAtMillis() {
                return 0;
            }

            @Override
            public Registration listenSinceJoin(String topic, Consumer<Envelope> listener) {
                return bus.listenFrom(topic, 0, listener);
            }
        };
        AtomicInteger lookups = new AtomicInteger();
        OutboxRelay relay = new OutboxRelay(nodeB.dataSource, TestNode.relaySettings(100, Duration.ofSeconds(30)),
                name -> lookups.incrementAndGet() <= 2 ? null : flaky, Clock.systemUTC(), () -> nodeB.nodeId);
        nodeA.transactions.run(tx -> nodeA.sync.publish("orders", new Order("o-1", 1), SyncOptions.durable(tx)));

        try {
            relay.start();
            await().until(() -> received.size() == 1);
        } finally {
            relay.close();
        }

        assertEquals(0, pending(nodeA));
        assertEquals(-1, failuresLeft.get());
    }

    @Test
    public void pluginChannel_durable_reachesPluginOnOtherNode() throws Exception {
        TestNode nodeA = node("node-a", 100);
        TestNode nodeB = node("node-b", 100);
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        nodeB.sync.subscribePlugin("billing", received::add);
        nodeB.relay.start();

        nodeA.transactions.run(tx -> nodeA.sync.sendPlugin("billing", "invoices", new Order("o-1", 1),
                SyncOptions.durable(tx)));

        await().until(() -> received.size() == 1);
        assertEquals("invoices", received.get(0).channel());
    }

    @Test
    public void durable_transactionFromElsewhere_rejected() {
        TestNode nodeA = node("node-a", 100);
        Transaction foreign = new Transaction() {
            @Override
            public boolean isActive() {
                return true;
            }

            @Override
            public void afterCommit(Runnable callback) {
            }

            @Override
            public void afterRollback(Runnable callback) {
            }
        };

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> nodeA.sync.publish("orders", new Order("o-1", 1), SyncOptions.durable(foreign)));

        assertThat(error.getMessage(), containsString("needs a transaction from Cohort's TransactionManager"));
    }

    private TestNode node(String nodeId, int batchSize) {
        TestNode node = new TestNode(nodeId, bus, database, TestNode.relaySettings(batchSize, Duration.ofSeconds(30)));
        nodes.add(node);
        return node;
    }

    private void countPublished() {
        bus.listen(TOPIC, envelope -> published.computeIfAbsent(envelope.id(), id -> new AtomicInteger())
                .incrementAndGet());
    }

    private Map<String, Integer> counts() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        published.forEach((id, count) -> counts.put(id, count.get()));
        return counts;
    }

    private static long pending(TestNode node) throws SQLException {
        try (Connection connection = node.dataSource.getConnection()) {
            return OutboxTable.count(connection, TestNode.APP);
        }
    }

    private static long duplicates(TestNode node) {
        SyncCounters.Counts counts = node.sync.channelCounts().get(new SyncCounters.Key(null, "orders"));
        return counts == null ? 0 : counts.duplicates();
    }

    /** Acts as a relay that publishes every row and dies before deleting: its claims have already expired. */
    private void publishWithoutDeleting(TestNode node) throws SQLException {
        try (Connection connection = node.dataSource.getConnection()) {
            long now = System.currentTimeMillis();
            OutboxTable.claim(connection, "dead-relay#1", TestNode.APP, now, now - 1, 100);
            for (OutboxRow row : OutboxTable.fetch(connection, "dead-relay#1")) {
                bus.publish(row.topic(), row.envelope());
            }
        }
    }
}
