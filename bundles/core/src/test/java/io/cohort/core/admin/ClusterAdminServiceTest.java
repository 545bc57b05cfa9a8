package io.cohort.core.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.MissingNode;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.memory.LocalBus;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Cluster queries between simulated nodes that share one in-process bus. */
public class ClusterAdminServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    private final LocalBus bus = new LocalBus();
    private final ObjectMapper mapper = new JsonCodec().mapper();
    private final List<TestNode> nodes = new ArrayList<>();
    private final List<PubSubAdapter.Registration> rawListeners = new ArrayList<>();

    @After
    public void stopNodes() {
        rawListeners.forEach(PubSubAdapter.Registration::close);
        for (TestNode node : nodes) {
            node.close();
        }
    }

    @Test
    public void start_secondNode_bothKnowEachOther() {
        TestNode first = start("n1");
        TestNode second = start("n2");

        await().atMost(WAIT).until(() -> first.cluster.knownNodes().containsKey("n2"));
        await().atMost(WAIT).until(() -> second.cluster.knownNodes().containsKey("n1"));
    }

    @Test
    public void start_ownHello_noSharedId() {
        TestNode first = start("n1");
        start("n2");

        // Each node's hello reaches it too, on the topic that then brings the hello of n2.
        awaitKnown(first, "n2");
        assertEquals(Map.of(), first.cluster.sameIdNodes());
    }

    @Test
    public void start_sharedId_bothDetect() {
        TestNode first = start("n1");
        TestNode copy = start("n1");
        TestNode other = start("n2");

        await().atMost(WAIT).until(() -> first.cluster.sameIdNodes().size() == 1);
        await().atMost(WAIT).until(() -> copy.cluster.sameIdNodes().size() == 1);
        assertNotEquals(first.cluster.sameIdNodes().keySet(), copy.cluster.sameIdNodes().keySet());
        String location = "process " + ProcessHandle.current().pid() + ", data folder "
                + first.settings.dataDir();
        assertEquals(List.of(location), List.copyOf(first.cluster.sameIdNodes().values()));
        awaitKnown(other, "n1");
        assertEquals(Map.of(), other.cluster.sameIdNodes());
    }

    @Test
    public void caches_twoNodes_returnsRowsOfBoth() {
        TestNode first = start("n1");
        TestNode second = start("n2");
        first.cacheService.createCache(CacheOptions.builder("users").build());
        second.cacheService.createCache(CacheOptions.builder("orders").build());
        awaitKnown(first, "n2");

        ClusterResult<CacheView> result = first.cluster.caches(TIMEOUT);

        assertEquals(List.of("n1", "n2"), result.responded());
        assertEquals(List.of(), result.missing());
        assertEquals(List.of("n1/users", "n2/orders"), result.rows().stream()
                .map(row -> row.nodeId() + "/" + row.name()).toList());
    }

    @Test
    public void locks_leaseOnOtherNode_keepsItsTimes() throws Exception {
        TestNode first = start("n1");
        TestNode second = start("n2");
        awaitKnown(first, "n2");

        try (LockHandle handle = second.locks.acquire("report", Duration.ofSeconds(30))) {
            ClusterResult<LockView> result = first.cluster.locks(TIMEOUT);

            assertEquals(1, result.rows().size());
            LockView row = result.rows().get(0);
            assertEquals("n2", row.nodeId());
            assertEquals(handle.fenceToken(), row.fenceToken());
            assertEquals(handle.expiresAt(), row.expiresAt());
            assertEquals(Duration.ofSeconds(30), row.ttl());
        }
    }

    @Test
    public void caches_killedNode_listedAsMissing() {
        TestNode first = startTwoAndKillSecond();

        long started = System.nanoTime();
        ClusterResult<CacheView> result = first.cluster.caches(SHORT_TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(List.of("n1"), result.responded());
        assertEquals(1, result.missing().size());
        MissingNode missing = result.missing().get(0);
        assertEquals("n2", missing.nodeId());
        assertEquals("no response within 300 ms", missing.reason());
        assertNotNull(missing.lastSeen());
        assertTrue("query took " + took, took.compareTo(SHORT_TIMEOUT) >= 0);
    }

    @Test
    public void caches_killedNode_notWaitedForAfterMisses() {
        TestNode first = startTwoAndKillSecond();

        for (int query = 1; query <= ClusterAdminService.MISSES_BEFORE_NO_WAIT; query++) {
            ClusterResult<CacheView> result = first.cluster.caches(SHORT_TIMEOUT);
            assertEquals("reason of query " + query, List.of("no response within 300 ms"),
                    result.missing().stream().map(MissingNode::reason).toList());
        }
        ClusterResult<CacheView> after = first.cluster.caches(WAIT);

        assertEquals(List.of("n1"), after.responded());
        assertEquals(List.of("n2"), after.missing().stream().map(MissingNode::nodeId).toList());
        assertEquals("no response to the last 3 or more queries, so this one did not wait for it",
                after.missing().get(0).reason());
    }

    @Test
    public void caches_killedNodeRestarts_waitedForAgain() {
        TestNode first = startTwoAndKillSecond();
        for (int query = 1; query <= ClusterAdminService.MISSES_BEFORE_NO_WAIT; query++) {
            first.cluster.caches(SHORT_TIMEOUT);
        }

        start("n2");
        awaitKnown(first, "n2");
        ClusterResult<CacheView> result = first.cluster.caches(TIMEOUT);

        assertEquals(List.of("n1", "n2"), result.responded());
        assertEquals(List.of(), result.missing());
    }

    @Test
    public void caches_stoppedNode_notListed() {
        TestNode first = start("n1");
        TestNode second = start("n2");
        awaitKnown(first, "n2");
        nodes.remove(second);

        second.close();

        await().atMost(WAIT).until(() -> !first.cluster.knownNodes().containsKey("n2"));
        ClusterResult<CacheView> result = first.cluster.caches(SHORT_TIMEOUT);
        assertEquals(List.of("n1"), result.responded());
        assertEquals(List.of(), result.missing());
    }

    @Test
    public void caches_nodeRespondsWithError_listedWithReason() {
        TestNode first = start("n1");
        respondToEveryQueryWithError("n9", "disk full");
        awaitKnown(first, "n9");

        ClusterResult<CacheView> result = first.cluster.caches(TIMEOUT);

        assertEquals(List.of("n1"), result.responded());
        assertEquals("query failed on that node: disk full", result.missing().get(0).reason());
    }

    @Test
    public void caches_nodeStopsDuringQuery_notListedAndNotAwaited() {
        TestNode first = start("n1");
        stopOnFirstQuery("n9");
        awaitKnown(first, "n9");

        long started = System.nanoTime();
        ClusterResult<CacheView> result = first.cluster.caches(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(List.of("n1"), result.responded());
        assertEquals(List.of(), result.missing());
        assertTrue("query took " + took, took.compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    public void caches_noOtherNode_returnsWithoutWaiting() {
        TestNode only = start("n1");

        long started = System.nanoTime();
        ClusterResult<CacheView> result = only.cluster.caches(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(List.of("n1"), result.responded());
        assertTrue("query took " + took, took.compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    public void caches_notStarted_returnsOwnRows() {
        TestNode node = new TestNode("n1", bus);
        nodes.add(node);
        node.cacheService.createCache(CacheOptions.builder("users").build());

        ClusterResult<CacheView> result = node.cluster.caches(TIMEOUT);

        assertEquals(List.of("n1/users"), result.rows().stream().map(row -> row.nodeId() + "/" + row.name())
                .toList());
    }

    @Test
    public void caches_zeroTimeout_rejected() {
        TestNode node = start("n1");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> node.cluster.caches(Duration.ZERO));

        assertEquals("timeout PT0S is out of range; expected a positive duration of at most 60 s", e.getMessage());
    }

    /** Starts nodes n1 and n2, waits until n1 expects n2, kills n2 and returns n1. */
    private TestNode startTwoAndKillSecond() {
        TestNode first = start("n1");
        TestNode second = start("n2");
        awaitKnown(first, "n2");
        nodes.remove(second);
        second.kill();
        return first;
    }

    private TestNode start(String nodeId) {
        TestNode node = new TestNode(nodeId, bus);
        nodes.add(node);
        node.cluster.start();
        return node;
    }

    private static void awaitKnown(TestNode node, String other) {
        await().atMost(WAIT).until(() -> node.cluster.knownNodes().containsKey(other));
    }

    /** Simulates a node that announces itself and responds to every query with an error. */
    private void respondToEveryQueryWithError(String nodeId, String error) {
        String requestTopic = TestNode.APP + ":" + ClusterAdminService.REQUEST_TOPIC;
        rawListeners.add(bus.listen(requestTopic, envelope -> {
            AdminMessage message = read(envelope);
            if (message.kind() == AdminMessage.Kind.QUERY) {
                send(nodeId, requestTopic + ":" + envelope.sourceNode(),
                        AdminMessage.error(message.requestId(), error));
            }
        }));
        send(nodeId, requestTopic, AdminMessage.of(AdminMessage.Kind.HELLO));
    }

    /** Simulates a node that announces itself and announces its stop when it receives a query. */
    private void stopOnFirstQuery(String nodeId) {
        String requestTopic = TestNode.APP + ":" + ClusterAdminService.REQUEST_TOPIC;
        rawListeners.add(bus.listen(requestTopic, envelope -> {
            if (read(envelope).kind() == AdminMessage.Kind.QUERY) {
                send(nodeId, requestTopic, AdminMessage.of(AdminMessage.Kind.BYE));
            }
        }));
        send(nodeId, requestTopic, AdminMessage.of(AdminMessage.Kind.HELLO));
    }

    private AdminMessage read(Envelope envelope) {
        try {
            return mapper.readValue(envelope.payload(), AdminMessage.class);
        } catch (IOException e) {
            throw new AssertionError("unreadable admin message " + new String(envelope.payload(),
                    StandardCharsets.UTF_8), e);
        }
    }

    private void send(String nodeId, String topic, AdminMessage message) {
        try {
            bus.publish(topic, new Envelope(UUID.randomUUID().toString(), nodeId, System.currentTimeMillis(), true,
                    mapper.writeValueAsBytes(message)));
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}
