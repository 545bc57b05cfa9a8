package io.cohort.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import io.cohort.api.sync.SyncOptions;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.sync.SyncCounters;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Two nodes on one H2 file and one bus: node A changes a row and publishes in its transaction, node B reads the row
 * when the message arrives.
 */
public class SyncAfterCommitTest {

    private static final Duration QUIET = Duration.ofMillis(500);

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Rule
    public final TestDatabase database = TestDatabase.h2();

    private final LocalBus bus = new LocalBus();
    private final List<TestNode> nodes = new ArrayList<>();
    private TestNode nodeA;
    private TestNode nodeB;

    /** The message node A sends after it bumps the version of row {@code id}. */
    record Bumped(int id, long version) {
    }

    /** A version that node B's handler saw in a message and then read from the database. */
    record Observed(long messageVersion, long rowVersion) {
    }

    @Before
    public void startNodes() throws SQLException {
        nodeA = node("node-a");
        nodeB = node("node-b");
        try (Connection connection = nodeA.dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE counter (id INT PRIMARY KEY, version BIGINT NOT NULL)");
            statement.execute("INSERT INTO counter (id, version) VALUES (1, 0)");
        }
    }

    @After
    public void stopNodes() {
        nodes.forEach(TestNode::close);
    }

    @Test
    public void rolledBack_hundredTransactions_deliverNothing() throws SQLException {
        AtomicInteger received = new AtomicInteger();
        nodeB.sync.subscribe("bundle-b", "counters", message -> received.incrementAndGet(), subscription -> { });

        for (int i = 0; i < 100; i++) {
            try {
                nodeA.transactions.run(tx -> {
                    long version = bump(tx.connection());
                    nodeA.sync.publish("counters", new Bumped(1, version), SyncOptions.afterCommit(tx));
                    throw new IllegalStateException("rollback for the test");
                });
            } catch (IllegalStateException expected) {
                // Every transaction rolls back.
            }
        }

        await().during(QUIET).until(() -> received.get() == 0);
        assertFalse(nodeA.sync.channelCounts().containsKey(new SyncCounters.Key(null, "counters")));
    }

    @Test
    public void thousandIterations_committedOnly_neverStale() throws SQLException {
        List<Observed> observed = new CopyOnWriteArrayList<>();
        nodeB.sync.subscribe("bundle-b", "counters", message -> {
            Bumped bumped = message.payload(Bumped.class);
            try (Connection connection = nodeB.dataSource.getConnection()) {
                observed.add(new Observed(bumped.version(), readVersion(connection)));
            }
        }, subscription -> { });

        int rolledBack = 0;
        for (int i = 1; i <= 1000; i++) {
            int iteration = i;
            try {
                nodeA.transactions.run(tx -> {
                    long version = bump(tx.connection());
                    if (iteration % 10 == 0) {
                        nodeA.transactions.run(nested -> nodeA.sync.publish("counters", new Bumped(1, version),
                                SyncOptions.afterCommit(nested)));
                    } else {
                        nodeA.sync.publish("counters", new Bumped(1, version), SyncOptions.afterCommit(tx));
                    }
                    if (iteration % 10 == 5) {
                        throw new IllegalStateException("rollback for the test");
                    }
                });
            } catch (IllegalStateException expected) {
                rolledBack++;
            }
        }

        assertEquals(100, rolledBack);
        await().atMost(Duration.ofSeconds(60)).until(() -> observed.size() >= 900);
        await().during(QUIET).until(() -> observed.size() == 900);
        List<Long> messageVersions = observed.stream().map(Observed::messageVersion).toList();
        assertEquals(LongStream.rangeClosed(1, 900).boxed().toList(), messageVersions);
        for (Observed seen : observed) {
            assertTrue("row version " + seen.rowVersion() + " read for message version " + seen.messageVersion(),
                    seen.rowVersion() >= seen.messageVersion());
        }
        try (Connection connection = nodeB.dataSource.getConnection()) {
            assertEquals(900, readVersion(connection));
        }
    }

    private TestNode node(String nodeId) {
        TestNode node = new TestNode(nodeId, bus, database, TestNode.relaySettings(100, Duration.ofSeconds(30)));
        nodes.add(node);
        return node;
    }

    /** Adds 1 to the version of row 1 and returns the new version. */
    private static long bump(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE counter SET version = version + 1 WHERE id = 1");
        }
        return readVersion(connection);
    }

    private static long readVersion(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT version FROM counter WHERE id = ?")) {
            statement.setInt(1, 1);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
