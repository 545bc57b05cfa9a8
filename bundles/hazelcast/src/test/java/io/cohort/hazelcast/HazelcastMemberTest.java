package io.cohort.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import com.hazelcast.cluster.Address;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class HazelcastMemberTest {

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void member_withHomeYaml_startsAndStops() throws IOException {
        Path home = folder.newFolder("home").toPath();
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/hazelcast.yaml"), """
                hazelcast:
                  properties:
                    hazelcast.partition.count: 11
                """);
        MemberSettings settings = MemberSettings.parse(Map.of(
                MemberSettings.CLUSTER_NAME, "cohort-test-member-" + ProcessHandle.current().pid(),
                MemberSettings.PORT, 5801, MemberSettings.PORT_COUNT, 5,
                MemberSettings.MEMBERS, "127.0.0.1:5801-5805"));

        HazelcastMember member = new HazelcastMember(settings, home);
        try {
            Address address = member.instance().getCluster().getLocalMember().getAddress();

            assertEquals("127.0.0.1", address.getHost());
            assertTrue(address.getPort() >= 5801);
            assertTrue(address.getPort() <= 5805);
            assertEquals(11, member.instance().getPartitionService().getPartitions().size());
            assertEquals(member.instance().getCluster().getLocalMember().getUuid(), member.localMemberUuid());
        } finally {
            member.deactivate();
        }

        assertFalse(member.instance().getLifecycleService().isRunning());
    }

    @Test
    public void member_metricsOffUnlessPropertySet() throws IOException {
        Path home = folder.newFolder("metrics-home").toPath();
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/hazelcast.yaml"), """
                hazelcast:
                  properties:
                    hazelcast.metrics.enabled: true
                """);
        MemberSettings settings = MemberSettings.parse(Map.of(
                MemberSettings.CLUSTER_NAME, "cohort-test-metrics-" + ProcessHandle.current().pid(),
                MemberSettings.PORT, 5801, MemberSettings.PORT_COUNT, 5,
                MemberSettings.MEMBERS, "127.0.0.1:5801-5805"));

        HazelcastMember withoutProperty = new HazelcastMember(settings, null);
        boolean metricsWithoutProperty;
        try {
            metricsWithoutProperty = withoutProperty.instance().getConfig().getMetricsConfig().isEnabled();
        } finally {
            withoutProperty.deactivate();
        }
        HazelcastMember withProperty = new HazelcastMember(settings, home);
        boolean metricsWithProperty;
        try {
            metricsWithProperty = withProperty.instance().getConfig().getMetricsConfig().isEnabled();
        } finally {
            withProperty.deactivate();
        }

        assertFalse("metrics of a member without the property", metricsWithoutProperty);
        assertTrue("metrics of a member with hazelcast.metrics.enabled=true", metricsWithProperty);
    }

    @Test
    public void modified_changedOrInvalidSettings_memberKeepsRunningWithItsData() {
        Map<String, Object> properties = new HashMap<>(Map.of(
                MemberSettings.CLUSTER_NAME, "cohort-test-modified-" + ProcessHandle.current().pid(),
                MemberSettings.PORT, 5806, MemberSettings.PORT_COUNT, 3,
                MemberSettings.MEMBERS, "127.0.0.1:5806-5808"));
        HazelcastMember member = new HazelcastMember(MemberSettings.parse(properties), null);
        try {
            member.instance().getMap("kept").put("key", "value");

            properties.put(MemberSettings.NEAR_CACHE_MAX_ENTRIES, 20_000);
            member.modified(properties);
            properties.put(MemberSettings.PORT_COUNT, 0);
            String log = StandardError.capture(() -> member.modified(properties));

            String error = StandardError.lineWith(log, "Ignoring the changed configuration");
            assertTrue(error, error.contains(" ERROR "));
            assertTrue(error, error.contains("setting port.count '0' is invalid"));
            assertEquals(error, 1, StandardError.count(StandardError.message(error), HazelcastMember.PID));

            assertTrue(member.instance().getLifecycleService().isRunning());
            assertEquals("value", member.instance().getMap("kept").get("key"));
            assertEquals(10_000, member.settings().nearCacheMaxEntries());
        } finally {
            member.deactivate();
        }
    }

    @Test
    public void logChange_unknownKey_warnsWhenSeen() {
        Map<String, Object> properties = Map.of(MemberSettings.PORT, "5701", "near.cahce", "true",
                "service.pid", HazelcastMember.PID);

        String log = StandardError.capture(() -> HazelcastMember.logChange(MemberSettings.defaults(), properties,
                UUID.randomUUID()));

        String warning = StandardError.lineWith(log, "Ignoring unknown settings");
        assertTrue(warning, warning.contains(" WARN "));
        assertTrue(warning, warning.contains("[near.cahce] of " + HazelcastMember.PID));
        assertFalse(warning, warning.contains("service.pid"));
    }

    @Test
    public void logChange_twoInvalidValues_namesBoth() {
        Map<String, Object> properties = Map.of(MemberSettings.PORT_COUNT, "0", MemberSettings.TOPIC_CAPACITY, "lots");

        String log = StandardError.capture(() -> HazelcastMember.logChange(MemberSettings.defaults(), properties,
                UUID.randomUUID()));

        String error = StandardError.lineWith(log, "Ignoring the changed configuration");
        assertTrue(error, error.contains(" ERROR "));
        assertTrue(error, error.contains("port.count '0' is invalid"));
        assertTrue(error, error.contains("topic.capacity 'lots' is invalid"));
        assertEquals(log, 1, StandardError.count(log, " ERROR "));
    }

    @Test
    public void changedSettings_twoValuesDiffer_namesBothKeys() {
        MemberSettings running = MemberSettings.parse(Map.of());
        MemberSettings requested = MemberSettings.parse(Map.of(MemberSettings.NEAR_CACHE, "true",
                MemberSettings.TOPIC_CAPACITY, "500"));

        assertEquals(List.of("near.cache: false -> true", "topic.capacity: 10000 -> 500"),
                HazelcastMember.changedSettings(running, requested));
    }

    @Test
    public void byKey_everySetting_hasItsKey() {
        Map<String, Object> values = MemberSettings.defaults().byKey();

        assertEquals(MemberSettings.KEYS, new TreeSet<>(values.keySet()));
        assertEquals(MemberSettings.class.getRecordComponents().length, values.size());
    }
}
