package io.cohort.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class MemberSettingsTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void defaults_areLoopbackWithUnsafeCp() {
        MemberSettings settings = MemberSettings.defaults();

        assertEquals("cohort", settings.clusterName());
        assertEquals("127.0.0.1", settings.bindInterface());
        assertEquals(5701, settings.port());
        assertEquals(10, settings.portCount());
        assertEquals(10, settings.members().size());
        assertEquals("127.0.0.1:5701", settings.members().get(0));
        assertEquals("127.0.0.1:5710", settings.members().get(9));
        assertEquals(0, settings.cpMemberCount());
        assertEquals(10, settings.cpSessionTtlSeconds());
        assertEquals(2, settings.cpHeartbeatSeconds());
        assertTrue(settings.gracefulShutdown());
        assertEquals(30, settings.shutdownTimeoutSeconds());
        assertFalse(settings.nearCache());
        assertEquals(10_000, settings.topicCapacity());
        assertEquals("", settings.configFile());
    }

    @Test
    public void parse_stringValuesFromACfgFile_areConverted() {
        MemberSettings settings = MemberSettings.parse(Map.of(
                "port", "5801", "port.count", "3", "near.cache", "TRUE", "cp.member.count", "3",
                "shutdown.graceful", "false", "topic.capacity", 500));

        assertEquals(5801, settings.port());
        assertEquals(3, settings.portCount());
        assertTrue(settings.nearCache());
        assertEquals(3, settings.cpMemberCount());
        assertFalse(settings.gracefulShutdown());
        assertEquals(500, settings.topicCapacity());
    }

    @Test
    public void members_withRangesAndPlainHosts_areExpanded() {
        MemberSettings settings = MemberSettings.parse(Map.of(
                "members", " 10.0.0.1:5701-5703, 10.0.0.2 ,10.0.0.3:5801,,[::1]:6000"));

        assertEquals(List.of("10.0.0.1:5701", "10.0.0.1:5702", "10.0.0.1:5703", "10.0.0.2", "10.0.0.3:5801",
                "[::1]:6000"), settings.members());
    }

    @Test
    public void members_empty_meansKeepTheYamlJoin() {
        assertEquals(List.of(), MemberSettings.parse(Map.of("members", " ")).members());
    }

    @Test
    public void cpMode_describesUnsafeAndRaft() {
        assertEquals("cp-unsafe (cp.member.count=0)", MemberSettings.defaults().cpMode());
        assertEquals("raft (cp.member.count=5)", MemberSettings.parse(Map.of("cp.member.count", 5)).cpMode());
    }

    @Test
    public void parse_invalidValues_nameTheSettingAndValue() {
        assertInvalid(Map.of("port", "0"), "port '0'");
        assertInvalid(Map.of("port", "http"), "port 'http'");
        assertInvalid(Map.of("port.count", 101), "port.count '101'");
        assertInvalid(Map.of("port", 65_535, "port.count", 2), "port.count '2'");
        assertInvalid(Map.of("cp.member.count", 2), "cp.member.count '2'");
        assertInvalid(Map.of("cp.session.ttl.seconds", 4, "cp.heartbeat.seconds", 4), "cp.heartbeat.seconds '4'");
        assertInvalid(Map.of("near.cache", "yes"), "near.cache 'yes'");
        assertInvalid(Map.of("interface", "localhost"), "interface 'localhost'");
        assertInvalid(Map.of("members", "10.0.0.1:5710-5701"), "members '10.0.0.1:5710-5701'");
        assertInvalid(Map.of("members", "a b"), "members 'a b'");
        assertInvalid(Map.of("cluster.name", " "), "cluster.name ''");
        assertInvalid(Map.of("topic.capacity", 0), "topic.capacity '0'");
    }

    @Test
    public void parse_twoInvalidValues_namesBoth() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> MemberSettings.parse(Map.of("port", "http", "near.cache", "yes")));

        assertEquals("io.cohort.hazelcast has 2 invalid settings: port 'http' is invalid; expected a whole number "
                + "from 1 to 65535 | near.cache 'yes' is invalid; expected true or false", error.getMessage());
    }

    @Test
    public void parse_invalidTtl_skipsHeartbeatComparison() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> MemberSettings.parse(Map.of("cp.session.ttl.seconds", "ten", "cp.heartbeat.seconds", "20")));

        assertEquals("io.cohort.hazelcast setting cp.session.ttl.seconds 'ten' is invalid; expected a whole number "
                + "from 2 to 3600", error.getMessage());
    }

    @Test
    public void keys_listEverySetting() {
        assertEquals(14, MemberSettings.KEYS.size());
        assertTrue(MemberSettings.KEYS.contains(MemberSettings.CP_SESSION_TTL_SECONDS));
    }

    private static void assertInvalid(Map<String, Object> properties, String expectedPart) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> MemberSettings.parse(properties));
        assertTrue(error.getMessage(), error.getMessage().contains(expectedPart));
        assertTrue(error.getMessage(), error.getMessage().contains("expected"));
    }

    @Test
    public void parse_wildcardInterface_rejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> MemberSettings.parse(Map.of("interface", "0.0.0.0")));

        assertTrue(error.getMessage(), error.getMessage().contains("setting interface '0.0.0.0' is invalid"));
    }
}
