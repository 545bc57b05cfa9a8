package io.cohort.itests.cluster;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.cohort.itests.cluster.plugin.probe.ProbePlugin;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The five services across a cluster of three nodes ({@code A}, {@code B}, {@code C}) in one JVM, each with the
 * Hazelcast adapters and the probe plugin. The tests share the cluster, so each uses its own cache, channel and
 * lock names.
 *
 * <p>Where a test shows that a node receives nothing, it waits for a fence: a later message on the same channel,
 * published by the same node. Every message of a channel goes through one ringbuffer, which delivers in one order to
 * every node, so a node that has received the fence has received everything published before it.
 */
public class ClusterServicesIT {

    @ClassRule
    public static final Timeout CLASS_TIMEOUT = Timeout.seconds(300);

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern PUBLISHER_LINE = Pattern.compile(
            "(?m)^(.+) count=(\\d+) distinct=(\\d+) outOfOrder=(\\d+)$");
    private static final String CACHE_ABSENT = "(absent)";

    private static ClusterHarness cluster;
    private static ClusterNode nodeA;
    private static ClusterNode nodeB;
    private static ClusterNode nodeC;

    @BeforeClass
    public static void startCluster() {
        cluster = ClusterHarness.start("ClusterServicesIT", 3);
        nodeA = cluster.node(0);
        nodeB = cluster.node(1);
        nodeC = cluster.node(2);
        Path probe = PluginJar.bundle("io.cohort.itests.cluster.probe", "1.0.0").withPackageOf(ProbePlugin.class)
                .buildTo(Paths.get(System.getProperty("cohort.it.buildDir", "target"), "cluster-plugins",
                        "probe.jar"));
        cluster.installEverywhere(probe, ProbePlugin.NAME);
    }

    @AfterClass
    public static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test(timeout = 60_000)
    public void infoAndMembers_eachNode_showCluster() {
        Set<String> localAddresses = new HashSet<>();
        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            JsonNode info = ClusterHarness.json(node.run("cohort:info --json"));
            JsonNode members = ClusterHarness.json(node.run("cohort:members --json"));

            assertEquals(node.name() + " lock mode", "cp-unsafe (cp.member.count=0)", info.get("lockMode").asText());
            assertEquals(node.name() + " CP mode", "unsafe", members.get("cpMode").asText());
            List<String> local = new ArrayList<>();
            Set<String> addresses = new HashSet<>();
            for (JsonNode member : members.get("members")) {
                addresses.add(member.get("address").asText());
                if (member.get("local").asBoolean()) {
                    local.add(member.get("address").asText());
                }
            }
            assertEquals(node.name() + " members " + members, 3, addresses.size());
            assertEquals(node.name() + " local members " + members, 1, local.size());
            localAddresses.add(local.get(0));
        }
        assertEquals("local member of each node", 3, localAddresses.size());
    }

    @Test(timeout = 60_000)
    public void cache_setOnA_readOnOthers() {
        nodeA.run("probe:cacheSet shared-read greeting hello 0");

        assertEquals("hello", nodeB.run("probe:cacheGet shared-read greeting"));
        assertEquals("hello", nodeC.run("probe:cacheGet shared-read greeting"));
    }

    @Test(timeout = 60_000)
    public void cache_ttl_expiresOnAllNodes() {
        long ttlMillis = 3_000;
        long setAt = System.nanoTime();
        nodeA.run("probe:cacheSet shared-ttl token t-1 " + ttlMillis);

        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            String beforeExpiry = node.run("probe:cacheGet shared-ttl token");
            if (millisSince(setAt) < ttlMillis) {
                assertEquals(node.name() + " before the ttl", "t-1", beforeExpiry);
            }
        }
        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            eventually(Duration.ofSeconds(20), () -> assertEquals(node.name() + " after the ttl", CACHE_ABSENT,
                    node.run("probe:cacheGet shared-ttl token")));
        }
        assertTrue("expired after " + millisSince(setAt) + " ms, before the ttl of " + ttlMillis + " ms",
                millisSince(setAt) >= ttlMillis);
    }

    @Test(timeout = 60_000)
    public void cache_reset_keepsOtherCache() {
        nodeA.run("probe:cacheSet reset-target k1 v1 0");
        nodeA.run("probe:cacheSet reset-target k2 v2 0");
        nodeA.run("probe:cacheSet reset-bystander k1 kept 0");

        nodeB.run("probe:cacheReset reset-target");

        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            assertEquals(node.name() + " reset cache k1", CACHE_ABSENT, node.run("probe:cacheGet reset-target k1"));
            assertEquals(node.name() + " reset cache k2", CACHE_ABSENT, node.run("probe:cacheGet reset-target k2"));
            assertEquals(node.name() + " other cache", "kept", node.run("probe:cacheGet reset-bystander k1"));
        }
    }

    @Test(timeout = 120_000)
    public void broadcast_10000FromA_allInOrder() {
        String channel = "bc-ten-thousand";
        subscribeEverywhere(channel);

        long begin = System.nanoTime();
        nodeA.run("probe:publish " + channel + " A 10000 ALL");
        long publishMillis = millisSince(begin);
        for (ClusterNode node : List.of(nodeB, nodeC, nodeA)) {
            eventually(DELIVERY_TIMEOUT, () -> assertEquals(node.name() + " messages from A", 10_000,
                    received(node, channel).getOrDefault("A", Counts.NONE).count()));
        }
        long deliveryMillis = millisSince(begin);

        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            Counts fromA = received(node, channel).get("A");
            assertEquals(node.name() + " distinct messages from A", 10_000, fromA.distinct());
            assertEquals(node.name() + " messages from A out of order", 0, fromA.outOfOrder());
        }
        System.out.printf("Broadcast: A published 10000 messages in %d ms; all three nodes had them after %d ms%n",
                publishMillis, deliveryMillis);
    }

    @Test(timeout = 60_000)
    public void broadcast_skipSelf_publisherReceivesNone() {
        String channel = "bc-skip-self";
        subscribeEverywhere(channel);

        nodeA.run("probe:publish " + channel + " A-skip 100 SKIP_SELF");
        fence(channel, nodeA, List.of(nodeA, nodeB, nodeC));

        assertFalse("A received its own skipSelf messages", received(nodeA, channel).containsKey("A-skip"));
        for (ClusterNode node : List.of(nodeB, nodeC)) {
            Counts skipped = received(node, channel).getOrDefault("A-skip", Counts.NONE);
            assertEquals(node.name() + " skipSelf messages", new Counts(100, 100, 0), skipped);
        }
    }

    @Test(timeout = 60_000)
    public void broadcast_onlySelf_onlyPublisherReceives() {
        String channel = "bc-only-self";
        subscribeEverywhere(channel);

        nodeA.run("probe:publish " + channel + " A-only 100 ONLY_SELF");
        fence(channel, nodeA, List.of(nodeA, nodeB, nodeC));

        assertEquals("A onlySelf messages", new Counts(100, 100, 0),
                received(nodeA, channel).getOrDefault("A-only", Counts.NONE));
        for (ClusterNode node : List.of(nodeB, nodeC)) {
            assertFalse(node.name() + " received onlySelf messages of A",
                    received(node, channel).containsKey("A-only"));
        }
    }

    @Test(timeout = 120_000)
    public void broadcast_twoPublishers_eachMessageOnce() throws Exception {
        String channel = "bc-two-publishers";
        subscribeEverywhere(channel);

        ExecutorService publishers = Executors.newFixedThreadPool(2);
        try {
            Future<String> fromA = publishers.submit(() -> nodeA.run("probe:publish " + channel + " A 5000 ALL"));
            Future<String> fromB = publishers.submit(() -> nodeB.run("probe:publish " + channel + " B 5000 ALL"));
            fromA.get(60, TimeUnit.SECONDS);
            fromB.get(60, TimeUnit.SECONDS);
        } finally {
            publishers.shutdownNow();
        }

        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            eventually(DELIVERY_TIMEOUT, () -> assertEquals(node.name() + " total", 10_000, total(node, channel)));
            Map<String, Counts> counts = received(node, channel);
            assertEquals(node.name() + " from A", new Counts(5_000, 5_000, 0), counts.get("A"));
            assertEquals(node.name() + " from B", new Counts(5_000, 5_000, 0), counts.get("B"));
        }
    }

    @Test(timeout = 60_000)
    public void sync_fromA_reachesOthersOnce() {
        nodeA.run("probe:syncSend probe-sync hello-from-a");

        for (ClusterNode node : List.of(nodeB, nodeC)) {
            eventually(DELIVERY_TIMEOUT, () -> assertEquals(node.name() + " sync messages from A",
                    List.of("probe-sync hello-from-a node-a"), syncLines(node, "hello-from-a")));
        }
        // B's message travels the same topic after A's, so once A has it, A's own message has passed A.
        nodeB.run("probe:syncSend probe-sync fence-from-b");
        eventually(DELIVERY_TIMEOUT, () -> assertEquals("A received B's fence", 1,
                syncLines(nodeA, "fence-from-b").size()));

        assertEquals("sync messages A received from itself", List.of(), syncLines(nodeA, "hello-from-a"));
        assertEquals("B after the fence", 1, syncLines(nodeB, "hello-from-a").size());
        assertEquals("C after the fence", 1, syncLines(nodeC, "hello-from-a").size());
    }

    @Test(timeout = 120_000)
    public void queue_1000Tasks_runOnceInCluster() {
        String channel = "q-exactly-once";
        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            node.run("probe:consume " + channel + " 4");
        }

        long begin = System.nanoTime();
        nodeA.run("probe:enqueue " + channel + " " + ProbePlugin.QUICK + " 1000 30000 3 100");
        eventually(DELIVERY_TIMEOUT, () -> assertEquals("task runs on all nodes", 1_000, allRuns(channel).size()));
        long runMillis = millisSince(begin);
        awaitNoRunningTasks();

        List<Run> runs = allRuns(channel);
        Set<String> distinct = new HashSet<>();
        runs.forEach(run -> distinct.add(run.payload()));
        assertEquals("runs after the queue settled", 1_000, runs.size());
        assertEquals("distinct tasks run", 1_000, distinct.size());
        assertEquals("runs that were a retry", List.of(), runs.stream().filter(run -> run.attempt() != 1).toList());
        System.out.printf("Queue: 1000 tasks published on A ran once each in %d ms: A %d, B %d, C %d%n", runMillis,
                runs(nodeA, channel).size(), runs(nodeB, channel).size(), runs(nodeC, channel).size());
    }

    @Test(timeout = 120_000)
    public void queue_timeout_fourAttemptsThenDeadLetter() {
        String channel = "q-timeout";
        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            node.run("probe:consume " + channel + " 1");
        }
        long timeoutMillis = 2_000;

        String taskId = nodeA.run("probe:enqueue " + channel + " " + ProbePlugin.BLOCK + " 1 " + timeoutMillis
                + " 3 200").trim();
        eventually(DELIVERY_TIMEOUT, () -> assertFalse("dead letters of " + channel,
                nodeB.run("probe:deadLetters " + channel).isBlank()));

        String[] letter = nodeC.run("probe:deadLetters " + channel).trim().split(" ", 4);
        assertEquals("dead letter task id", taskId, letter[0]);
        assertEquals("dead letter attempts", "4", letter[1]);
        assertEquals("dead letter reason", "timeout", letter[2]);
        List<Run> attempts = allRuns(channel);
        attempts.sort((first, second) -> Long.compare(first.start(), second.start()));
        assertEquals("attempt numbers in start order", List.of(1, 2, 3, 4),
                attempts.stream().map(Run::attempt).toList());
        for (int i = 0; i < attempts.size(); i++) {
            Run attempt = attempts.get(i);
            // The timeout runs from when the node took the task, a moment before the consumer started the attempt.
            assertTrue("attempt " + attempt.attempt() + " ended after " + attempt.millis() + " ms, well before its "
                    + timeoutMillis + " ms timeout", attempt.millis() >= timeoutMillis - 500);
            assertTrue("attempt " + attempt.attempt() + " ended after " + attempt.millis() + " ms, well after its "
                    + timeoutMillis + " ms timeout", attempt.millis() <= timeoutMillis + 2_000);
            if (i > 0) {
                Run previous = attempts.get(i - 1);
                assertTrue("attempt " + attempt.attempt() + " started before attempt " + previous.attempt()
                        + " ended", attempt.start() >= previous.end());
            }
        }

        awaitNoRunningTasks();
        nodeA.run("probe:enqueue " + channel + " " + ProbePlugin.QUICK + " 6 30000 0 100");
        eventually(DELIVERY_TIMEOUT, () -> assertEquals("quick tasks run after the dead letter", 6,
                allRuns(channel).stream().filter(run -> run.payload().startsWith(ProbePlugin.QUICK)).count()));
    }

    @Test(timeout = 120_000)
    public void lock_threeNodesCount_reach600() throws Exception {
        ExecutorService counters = Executors.newFixedThreadPool(3);
        long begin = System.nanoTime();
        try {
            List<Future<String>> results = new ArrayList<>();
            for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
                results.add(counters.submit(() -> node.run("probe:count counter-lock counters hits 200")));
            }
            for (Future<String> result : results) {
                assertEquals("counted 200", result.get(90, TimeUnit.SECONDS));
            }
        } finally {
            counters.shutdownNow();
        }
        long countMillis = millisSince(begin);

        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            assertEquals(node.name() + " counter", "600", node.run("probe:counterGet counters hits"));
        }
        System.out.printf("Lock: 600 increments under one lock from three nodes took %d ms%n", countMillis);
    }

    /** Subscribes every node's probe to {@code channel}, then waits until a fence from A reached all three. */
    private static void subscribeEverywhere(String channel) {
        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            node.run("probe:subscribe " + channel);
        }
        fence(channel, nodeA, List.of(nodeA, nodeB, nodeC));
    }

    /** Publishes one message from {@code publisher} and waits until each of {@code receivers} has it. */
    private static void fence(String channel, ClusterNode publisher, List<ClusterNode> receivers) {
        String fenceName = "fence-" + publisher.name() + "-" + System.nanoTime();
        publisher.run("probe:publish " + channel + " " + fenceName + " 1 ALL");
        for (ClusterNode node : receivers) {
            eventually(DELIVERY_TIMEOUT, () -> assertEquals(node.name() + " fence " + fenceName, 1,
                    received(node, channel).getOrDefault(fenceName, Counts.NONE).count()));
        }
    }

    private static void awaitNoRunningTasks() {
        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            eventually(DELIVERY_TIMEOUT, () -> assertEquals(node.name() + " queue.running", 0,
                    ClusterHarness.json(node.run("cohort:info --json")).get("resources").get("queue.running")
                            .asLong()));
        }
    }

    /** Returns what {@code node}'s probe received on {@code channel}, by publisher. */
    private static Map<String, Counts> received(ClusterNode node, String channel) {
        Map<String, Counts> counts = new HashMap<>();
        Matcher line = PUBLISHER_LINE.matcher(node.run("probe:received " + channel));
        while (line.find()) {
            counts.put(line.group(1), new Counts(Integer.parseInt(line.group(2)), Integer.parseInt(line.group(3)),
                    Integer.parseInt(line.group(4))));
        }
        return counts;
    }

    /** Returns how many messages {@code node} received on {@code channel}, leaving out the fences. */
    private static int total(ClusterNode node, String channel) {
        return received(node, channel).entrySet().stream().filter(entry -> !entry.getKey().startsWith("fence-"))
                .mapToInt(entry -> entry.getValue().count()).sum();
    }

    private static List<String> syncLines(ClusterNode node, String payload) {
        return Arrays.stream(node.run("probe:syncReceived").split("\n"))
                .filter(line -> line.contains(" " + payload + " ")).toList();
    }

    private static List<Run> allRuns(String channel) {
        List<Run> runs = new ArrayList<>();
        for (ClusterNode node : List.of(nodeA, nodeB, nodeC)) {
            runs.addAll(runs(node, channel));
        }
        return runs;
    }

    private static List<Run> runs(ClusterNode node, String channel) {
        List<Run> runs = new ArrayList<>();
        for (String line : node.run("probe:runs " + channel).split("\n")) {
            if (!line.isBlank()) {
                String[] fields = line.split(" ");
                runs.add(new Run(fields[0], Integer.parseInt(fields[1]), Long.parseLong(fields[2]),
                        Long.parseLong(fields[3])));
            }
        }
        return runs;
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    /** What one node received from one publisher: messages, distinct sequences, and sequences out of order. */
    private record Counts(int count, int distinct, int outOfOrder) {

        static final Counts NONE = new Counts(0, 0, 0);
    }

    /** One attempt of a task on one node, with {@link System#nanoTime()} start and end. */
    private record Run(String payload, int attempt, long start, long end) {

        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(end - start);
        }
    }
}
