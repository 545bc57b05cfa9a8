package io.cohort.itests.cluster;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.cohort.itests.cluster.plugin.hot.HotPlugin;
import io.cohort.itests.cluster.plugin.priceaudit.AuditEntry;
import io.cohort.itests.cluster.plugin.priceaudit.PriceAuditPlugin;
import io.cohort.itests.cluster.plugin.priceboard.PriceBoardPlugin;
import io.cohort.itests.cluster.plugin.pricefeed.PriceFeedPlugin;
import io.cohort.itests.cluster.plugin.pricefeed.api.Price;
import io.cohort.itests.cluster.plugin.probe.ProbePlugin;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Plugins that share payload types across bundles, and a plugin redeployed on one node of a running cluster of
 * three ({@code A}, {@code B}, {@code C}), each with the probe plugin.
 *
 * <p>Payload types: plugin P ({@code price-feed}) exports {@link Price} and runs on every node. Plugin Q
 * ({@code price-board}, on B) imports it and reads prices typed, from messages and from the cache. Plugin R
 * ({@code price-audit}, on C) does not import it: it subscribes to P's channel with its own {@link AuditEntry},
 * which a price does not fit. That is how R receives P's messages, and each of them must fail on C with a logged,
 * counted error that names the channel, R's type and R's bundle, while R still receives the messages that fit.
 */
public class ClusterPluginsIT {

    @ClassRule
    public static final Timeout CLASS_TIMEOUT = Timeout.seconds(300);

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final String PRICE_FEED_BUNDLE = "io.cohort.itests.cluster.price-feed";
    private static final String PRICE_AUDIT_BUNDLE = "io.cohort.itests.cluster.price-audit";
    private static final String HOT_BUNDLE = "io.cohort.itests.cluster.hot";
    private static final Pattern PUBLISHER_LINE = Pattern.compile("(?m)^(.+) count=(\\d+) distinct=(\\d+)");

    /**
     * What the nodes log, while a test records it. It must be standard error before the frameworks start, because
     * Gogo puts its own stream in place of {@link System#err} at start and again whenever a command runs, and passes
     * everything else to the stream it found at start.
     */
    private static final LogCapture LOG = new LogCapture();

    private static PrintStream originalErr;
    private static ClusterHarness cluster;
    private static ClusterNode nodeA;
    private static ClusterNode nodeB;
    private static ClusterNode nodeC;

    @BeforeClass
    public static void startCluster() {
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeStream(originalErr, LOG), true, StandardCharsets.UTF_8));
        cluster = ClusterHarness.start("ClusterPluginsIT", 3);
        nodeA = cluster.node(0);
        nodeB = cluster.node(1);
        nodeC = cluster.node(2);
        cluster.installEverywhere(PluginJar.bundle("io.cohort.itests.cluster.probe", "1.0.0")
                .withPackageOf(ProbePlugin.class).buildTo(jarPath("probe.jar")), ProbePlugin.NAME);
    }

    @AfterClass
    public static void stopCluster() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            System.setErr(originalErr);
        }
    }

    @Test(timeout = 120_000)
    public void payloadType_acrossBundles_typedOrCountedError() throws Exception {
        cluster.installEverywhere(PluginJar.bundle(PRICE_FEED_BUNDLE, "1.0.0").withPackageOf(PriceFeedPlugin.class)
                .exporting(Price.class).buildTo(jarPath("price-feed.jar")), PriceFeedPlugin.NAME);
        nodeB.install(PluginJar.bundle("io.cohort.itests.cluster.price-board", "1.0.0")
                .withPackageOf(PriceBoardPlugin.class).buildTo(jarPath("price-board.jar")));
        nodeC.install(PluginJar.bundle(PRICE_AUDIT_BUNDLE, "1.0.0").withPackageOf(PriceAuditPlugin.class)
                .buildTo(jarPath("price-audit.jar")));
        ClusterHarness.awaitPlugin(nodeB, PriceBoardPlugin.NAME, "LOADED", null);
        ClusterHarness.awaitPlugin(nodeC, PriceAuditPlugin.NAME, "LOADED", null);

        LOG.start();
        try {
            nodeA.run("pricefeed:publish widget 1999 5");
            // A message R's type fits, published after the prices: once R has it, R has handled every price.
            nodeA.run("probe:publishAudit " + PriceFeedPlugin.CHANNEL + " gadget 42");
            eventually(DELIVERY_TIMEOUT, () -> assertEquals("entries R received on C", List.of("gadget [42]"),
                    lines(nodeC.run("priceaudit:received"))));
        } finally {
            LOG.stop();
        }

        eventually(DELIVERY_TIMEOUT, () -> assertEquals("prices Q received on B", 5,
                lines(nodeB.run("priceboard:received")).size()));
        List<String> expectedPrices = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expectedPrices.add("widget-" + i + " 1999 " + PRICE_FEED_BUNDLE);
        }
        assertEquals("prices Q received on B, with the bundle of their class", expectedPrices,
                lines(nodeB.run("priceboard:received")));

        nodeA.run("pricefeed:cache w-1 widget 2500");
        assertEquals("cached price Q read on B", "widget 2500 " + PRICE_FEED_BUNDLE,
                nodeB.run("priceboard:cached w-1"));

        JsonNode pricesOnC = channelRow(nodeC, nodeC.name(), PriceFeedPlugin.CHANNEL);
        assertEquals("failed deliveries of " + PriceFeedPlugin.CHANNEL + " on C: " + pricesOnC, 5,
                pricesOnC.get("failed").asLong());
        assertEquals("delivered messages of " + PriceFeedPlugin.CHANNEL + " on C: " + pricesOnC, 1,
                pricesOnC.get("delivered").asLong());
        String recorded = LOG.text();
        String warning = Arrays.stream(recorded.split("\n"))
                .filter(line -> line.contains("WARN") && line.contains(AuditEntry.class.getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no WARN naming " + AuditEntry.class.getName()
                        + " in the log:\n" + recorded));
        assertTrue("the WARN names the channel: " + warning, warning.contains("on channel "
                + PriceFeedPlugin.CHANNEL + " "));
        assertTrue("the WARN names R's bundle: " + warning, warning.contains(PRICE_AUDIT_BUNDLE));
    }

    @Test(timeout = 120_000)
    public void hotRedeploy_oneNode_oneSubscriptionPerChannel() {
        nodeA.run("probe:subscribe " + HotPlugin.ACK_CHANNEL);
        nodeB.deploy(hotJar("1.0.0"), "hot.jar");
        ClusterHarness.awaitPlugin(nodeB, HotPlugin.NAME, "LOADED", "1.0.0");
        nodeA.run("probe:publish " + HotPlugin.CHANNEL_A + " before 3 ALL");
        eventually(DELIVERY_TIMEOUT, () -> assertEquals("acks of version 1.0.0", 3,
                acks(nodeA).getOrDefault("1.0.0 " + HotPlugin.CHANNEL_A + " before", 0).intValue()));

        long begin = System.nanoTime();
        nodeB.deploy(hotJar("1.0.1"), "hot.jar");
        ClusterHarness.awaitPlugin(nodeB, HotPlugin.NAME, "LOADED", "1.0.1");
        long redeployMillis = (System.nanoTime() - begin) / 1_000_000;

        for (String channel : List.of(HotPlugin.CHANNEL_A, HotPlugin.CHANNEL_B)) {
            JsonNode row = channelRow(nodeB, nodeB.name(), channel);
            assertEquals("subscriptions to " + channel + " on B after the update: " + row, 1,
                    row.get("subscriptions").size());
            assertTrue("owner of the subscription to " + channel + ": " + row,
                    row.get("subscriptions").get(0).asText().startsWith(HOT_BUNDLE + " "));
        }
        nodeA.run("probe:publish " + HotPlugin.CHANNEL_A + " after 50 ALL");
        nodeA.run("probe:publish " + HotPlugin.CHANNEL_B + " after 50 ALL");
        eventually(DELIVERY_TIMEOUT, () -> {
            Map<String, Integer> acks = acks(nodeA);
            assertEquals("acks of hot.a by 1.0.1", 50, acks.getOrDefault("1.0.1 hot.a after", 0).intValue());
            assertEquals("acks of hot.b by 1.0.1", 50, acks.getOrDefault("1.0.1 hot.b after", 0).intValue());
        });
        nodeA.run("probe:publish " + HotPlugin.CHANNEL_A + " fence 1 ALL");
        eventually(DELIVERY_TIMEOUT, () -> assertEquals("ack of the fence", 1,
                acks(nodeA).getOrDefault("1.0.1 hot.a fence", 0).intValue()));

        Map<String, Integer> acks = acks(nodeA);
        assertEquals("every ack after the update, by version, channel and sender", Map.of(
                "1.0.0 hot.a before", 3, "1.0.1 hot.a after", 50, "1.0.1 hot.b after", 50, "1.0.1 hot.a fence", 1),
                acks);
        String distinct = nodeA.run("probe:received " + HotPlugin.ACK_CHANNEL);
        assertTrue("every ack is of a different message:\n" + distinct,
                distinct.contains("1.0.1 hot.a after count=50 distinct=50"));
        System.out.printf("Hot redeploy: the replaced plugin was LOADED again %d ms after its jar was replaced%n",
                redeployMillis);
    }

    /** Runs {@code pubsub:channels --json} on {@code on} and returns the row of {@code node} and {@code channel}. */
    private static JsonNode channelRow(ClusterNode on, String node, String channel) {
        JsonNode channels = ClusterHarness.json(on.run("pubsub:channels --json")).get("channels");
        for (JsonNode row : channels) {
            if (row.get("node").asText().equals(node) && row.get("channel").asText().equals(channel)) {
                return row;
            }
        }
        throw new AssertionError("no row for channel " + channel + " of " + node + " in " + channels);
    }

    /** Returns the number of acks A received, by {@code <version> <channel> <publisher>}. */
    private static Map<String, Integer> acks(ClusterNode node) {
        Map<String, Integer> counts = new TreeMap<>();
        Matcher line = PUBLISHER_LINE.matcher(node.run("probe:received " + HotPlugin.ACK_CHANNEL));
        while (line.find()) {
            counts.put(line.group(1), Integer.parseInt(line.group(2)));
        }
        return counts;
    }

    private static Path hotJar(String version) {
        return PluginJar.bundle(HOT_BUNDLE, version).withPackageOf(HotPlugin.class)
                .buildTo(jarPath("hot-" + version + ".jar"));
    }

    private static Path jarPath(String fileName) {
        return Paths.get(System.getProperty("cohort.it.buildDir", "target"), "cluster-plugins", fileName);
    }

    private static List<String> lines(String text) {
        return text.lines().filter(line -> !line.isBlank()).toList();
    }

    /** Keeps what is written to it between {@link #start} and {@link #stop}, and drops the rest. */
    private static final class LogCapture extends OutputStream {

        private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        private boolean recording;

        synchronized void start() {
            recorded.reset();
            recording = true;
        }

        synchronized void stop() {
            recording = false;
        }

        synchronized String text() {
            return recorded.toString(StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void write(int b) {
            if (recording) {
                recorded.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            if (recording) {
                recorded.write(bytes, offset, length);
            }
        }
    }

    /** Writes to two streams: the test output and the log capture. */
    private static final class TeeStream extends OutputStream {

        private final OutputStream first;
        private final OutputStream second;

        TeeStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
        }
    }
}
