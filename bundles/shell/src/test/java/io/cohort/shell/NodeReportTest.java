package io.cohort.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cohort.api.node.CohortNode;
import io.cohort.api.node.ConfigurationError;
import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;

import org.junit.Test;

/** Text and JSON output of the {@code cohort:} commands. */
public class NodeReportTest {

    private static final Instant STARTED = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant NOW = STARTED.plusSeconds(3_723);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<PluginInfo> plugins = List.of(
            new PluginInfo("starter", "io.cohort.samples.starter", 12, "0.1.0", PluginState.LOADED, null),
            new PluginInfo("billing-sync", "com.example.billing", 7, "2.3.0", PluginState.FAILED,
                    "load: java.lang.IllegalStateException: no database"));

    @Test(timeout = 5000)
    public void infoText_node_listsEveryFact() {
        String text = NodeReport.infoText(node(Map.of("pubsub.subscriptions", 2L)), NOW);

        assertEquals("""
                Node id:      node-1
                Application:  shop
                Started at:   2026-12-04T10:00:00Z
                Uptime:       1h 02m 03s
                Adapters:
                  cache   memory
                  pubsub  memory
                  queue   memory
                  lock    hazelcast (not registered)
                Queue role:   consumes all
                Resources:
                  pubsub.subscriptions  2
                """, text);
    }

    @Test(timeout = 5000)
    public void infoText_lockMode_followsAdapters() {
        String text = NodeReport.infoText(node(Map.of(), "raft (cp.member.count=3)"), NOW);

        assertTrue(text, text.contains("  lock    hazelcast (not registered)\n"
                + "Lock mode:    raft (cp.member.count=3)\n"));
    }

    @Test(timeout = 5000)
    public void info_queueRole_textAndJson() throws Exception {
        CohortNode reports = node(Map.of(), "", "reports,mail");

        String text = NodeReport.infoText(reports, NOW);
        JsonNode json = JSON.readTree(NodeReport.infoJson(reports, NOW));

        assertTrue(text, text.contains("Queue role:   consumes reports,mail\n"));
        assertEquals("reports,mail", json.get("queueRole").asText());
    }

    @Test(timeout = 5000)
    public void infoJson_noLockMode_isNull() throws Exception {
        JsonNode json = JSON.readTree(NodeReport.infoJson(node(Map.of()), NOW));

        assertTrue(json.get("lockMode").isNull());
    }

    @Test(timeout = 5000)
    public void infoJson_lockMode_isWritten() throws Exception {
        JsonNode json = JSON.readTree(NodeReport.infoJson(node(Map.of(), "in-process"), NOW));

        assertEquals("in-process", json.get("lockMode").asText());
    }

    @Test(timeout = 5000)
    public void infoText_configurationErrors_listed() {
        List<ConfigurationError> errors = List.of(
                new ConfigurationError("io.cohort.jdbc", "pool.size 'lots' is not a whole number; expected 1 to 200"),
                new ConfigurationError("io.cohort.jdbc", "relay.claim.ms 10 is out of range; expected 1000 to 300000"));

        String text = NodeReport.infoText(node(Map.of()), errors, NOW);

        assertTrue(text, text.endsWith("Invalid configuration (until it is fixed, the part of the node it "
                + "configures stays stopped or keeps its previous settings):\n"
                + "  etc/io.cohort.jdbc.cfg (io.cohort.jdbc): pool.size 'lots' is not a whole number; expected 1 to "
                + "200\n"
                + "  etc/io.cohort.jdbc.cfg (io.cohort.jdbc): relay.claim.ms 10 is out of range; expected 1000 to "
                + "300000\n"));
    }

    @Test(timeout = 5000)
    public void infoText_noConfigurationErrors_noSuchSection() {
        String text = NodeReport.infoText(node(Map.of()), List.of(), NOW);

        assertFalse(text, text.contains("Invalid configuration"));
    }

    @Test(timeout = 5000)
    public void infoJson_configurationErrors_pidAndMessage() throws Exception {
        JsonNode json = JSON.readTree(NodeReport.infoJson(node(Map.of()), List.of(
                new ConfigurationError("io.cohort.jdbc", "pool.size 'lots' is not a whole number")), NOW));

        assertEquals(1, json.get("configurationErrors").size());
        assertEquals("io.cohort.jdbc", json.get("configurationErrors").get(0).get("pid").asText());
        assertEquals("pool.size 'lots' is not a whole number",
                json.get("configurationErrors").get(0).get("message").asText());
    }

    @Test(timeout = 5000)
    public void infoText_noResources_saysNone() {
        String text = NodeReport.infoText(node(Map.of()), NOW);

        assertEquals("Resources:    none registered", text.lines().reduce((first, last) -> last).orElseThrow());
    }

    @Test(timeout = 5000)
    public void infoJson_node_hasEveryField() throws Exception {
        JsonNode json = JSON.readTree(NodeReport.infoJson(node(Map.of("lock.held", 1L)), NOW));

        assertEquals("node-1", json.get("nodeId").asText());
        assertEquals("shop", json.get("appName").asText());
        assertEquals("2026-12-04T10:00:00Z", json.get("startedAt").asText());
        assertEquals(3_723, json.get("uptimeSeconds").asLong());
        assertEquals("hazelcast (not registered)", json.get("adapters").get("lock").asText());
        assertEquals(1, json.get("resources").get("lock.held").asLong());
    }

    @Test(timeout = 5000)
    public void pluginsText_plugins_alignsColumns() {
        String text = NodeReport.pluginsText(plugins);

        assertEquals("""
                NAME          BUNDLE                          VERSION  STATE   LAST ERROR
                starter       io.cohort.samples.starter [12]  0.1.0    LOADED  -
                billing-sync  com.example.billing [7]         2.3.0    FAILED  load: java.lang.IllegalStateException: \
                no database
                """, text);
    }

    @Test(timeout = 5000)
    public void pluginsText_none_saysSo() {
        assertEquals("No plugins registered.\n", NodeReport.pluginsText(List.of()));
    }

    @Test(timeout = 5000)
    public void pluginsText_awaitedAdapters_namesSettingsAndRegistered() {
        String text = NodeReport.pluginsText(waitingNode());

        assertEquals("""
                No plugin loads: plugins wait until each adapter that etc/io.cohort.core.cfg names is registered.
                SETTING        CONFIGURED  STATE           REGISTERED
                queue.adapter  memroy      not registered  hazelcast, memory
                Waiting plugin services: starter (io.cohort.samples.starter [12])
                Fix the adapter names in etc/io.cohort.core.cfg, or start the bundle that registers the adapter.
                """, text);
    }

    @Test(timeout = 5000)
    public void pluginsText_awaitedAndInvalid_pointsToErrors() {
        String text = NodeReport.pluginsText(waitingNode(), List.of(new ConfigurationError("io.cohort.hazelcast",
                "io.cohort.hazelcast setting port.count 'abc' is invalid; expected a whole number from 1 to 100")));

        assertEquals("""
                No plugin loads: plugins wait until each adapter that etc/io.cohort.core.cfg names is registered.
                SETTING        CONFIGURED  STATE           REGISTERED
                queue.adapter  memroy      not registered  hazelcast, memory
                Waiting plugin services: starter (io.cohort.samples.starter [12])
                Invalid configuration (until it is fixed, the part of the node it configures stays stopped or keeps \
                its previous settings):
                  etc/io.cohort.hazelcast.cfg (io.cohort.hazelcast): io.cohort.hazelcast setting port.count 'abc' is \
                invalid; expected a whole number from 1 to 100
                Fix the invalid configuration above first, because a bundle with an invalid configuration may \
                register no adapter.
                """, text);
    }

    @Test(timeout = 5000)
    public void pluginsText_invalidNothingAwaited_listsErrors() {
        String text = NodeReport.pluginsText(node(Map.of()), List.of(new ConfigurationError("io.cohort.jdbc",
                "pool.size 'lots' is not a whole number; expected 1 to 200")));

        assertEquals("""
                No plugins registered.
                Invalid configuration (until it is fixed, the part of the node it configures stays stopped or keeps \
                its previous settings):
                  etc/io.cohort.jdbc.cfg (io.cohort.jdbc): pool.size 'lots' is not a whole number; expected 1 to 200
                """, text);
    }

    @Test(timeout = 5000)
    public void pluginsText_nothingAwaited_listsPlugins() {
        assertEquals("No plugins registered.\n", NodeReport.pluginsText(node(Map.of())));
    }

    @Test(timeout = 5000)
    public void infoText_awaitedAdapters_namesThem() {
        String text = NodeReport.infoText(waitingNode(), NOW);

        assertTrue(text, text.contains("Plugins:      none load; they wait for adapters queue.adapter=memroy (see "
                + "cohort:plugins)\n"));
    }

    @Test(timeout = 5000)
    public void infoJson_awaitedAdapters_writesObject() throws Exception {
        JsonNode json = JSON.readTree(NodeReport.infoJson(waitingNode(), NOW));

        JsonNode notWaiting = JSON.readTree(NodeReport.infoJson(node(Map.of()), NOW));

        assertEquals("memroy", json.get("awaitedAdapters").get("queue.adapter").asText());
        assertEquals(0, notWaiting.get("awaitedAdapters").size());
    }

    @Test(timeout = 5000)
    public void pluginsJson_plugins_writesArrayWithNullError() throws Exception {
        JsonNode json = JSON.readTree(NodeReport.pluginsJson(plugins));

        assertEquals(2, json.size());
        assertEquals("starter", json.get(0).get("name").asText());
        assertEquals("io.cohort.samples.starter", json.get(0).get("bundleSymbolicName").asText());
        assertEquals(12, json.get(0).get("bundleId").asLong());
        assertEquals("0.1.0", json.get(0).get("version").asText());
        assertEquals("LOADED", json.get(0).get("state").asText());
        assertEquals(true, json.get(0).get("lastError").isNull());
        assertEquals("load: java.lang.IllegalStateException: no database", json.get(1).get("lastError").asText());
    }

    @Test(timeout = 5000)
    public void formatUptime_durations_dropLeadingZeroUnits() {
        assertEquals("0s", NodeReport.formatUptime(Duration.ZERO));
        assertEquals("59s", NodeReport.formatUptime(Duration.ofSeconds(59)));
        assertEquals("1m 00s", NodeReport.formatUptime(Duration.ofSeconds(60)));
        assertEquals("2h 00m 01s", NodeReport.formatUptime(Duration.ofSeconds(7_201)));
        assertEquals("3d 04h 05m 06s", NodeReport.formatUptime(Duration.ofSeconds(3 * 86_400 + 4 * 3_600 + 306)));
        assertEquals("0s", NodeReport.formatUptime(Duration.ofSeconds(-5)));
    }

    /** Returns a node whose plugins wait for the queue adapter {@code memroy}. */
    private static CohortNode waitingNode() {
        CohortNode base = node(Map.of());
        return new CohortNode() {
            @Override
            public String nodeId() {
                return base.nodeId();
            }

            @Override
            public String appName() {
                return base.appName();
            }

            @Override
            public Instant startedAt() {
                return base.startedAt();
            }

            @Override
            public Map<String, String> adapters() {
                return base.adapters();
            }

            @Override
            public List<PluginInfo> plugins() {
                return List.of();
            }

            @Override
            public Map<String, String> awaitedAdapters() {
                return Map.of("queue.adapter", "memroy");
            }

            @Override
            public Map<String, List<String>> registeredAdapters() {
                return Map.of("queue.adapter", List.of("hazelcast", "memory"));
            }

            @Override
            public List<String> waitingPlugins() {
                return List.of("starter (io.cohort.samples.starter [12])");
            }

            @Override
            public Map<String, Long> resources() {
                return Map.of();
            }
        };
    }

    private static CohortNode node(Map<String, Long> resources) {
        return node(resources, "");
    }

    private static CohortNode node(Map<String, Long> resources, String lockMode) {
        return node(resources, lockMode, "all");
    }

    private static CohortNode node(Map<String, Long> resources, String lockMode, String queueRole) {
        Map<String, String> adapters = new LinkedHashMap<>();
        adapters.put("cache", "memory");
        adapters.put("pubsub", "memory");
        adapters.put("queue", "memory");
        adapters.put("lock", "hazelcast (not registered)");
        return new CohortNode() {
            @Override
            public String nodeId() {
                return "node-1";
            }

            @Override
            public String appName() {
                return "shop";
            }

            @Override
            public Instant startedAt() {
                return STARTED;
            }

            @Override
            public Map<String, String> adapters() {
                return adapters;
            }

            @Override
            public String lockMode() {
                return lockMode;
            }

            @Override
            public String queueRole() {
                return queueRole;
            }

            @Override
            public List<PluginInfo> plugins() {
                return List.of();
            }

            @Override
            public Map<String, Long> resources() {
                return resources;
            }
        };
    }
}
