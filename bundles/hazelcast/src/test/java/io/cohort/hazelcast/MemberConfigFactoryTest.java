package io.cohort.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class MemberConfigFactoryTest {

    private static final ClassLoader LOADER = MemberConfigFactoryTest.class.getClassLoader();

    @Rule
    public Timeout timeout = Timeout.seconds(20);

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void defaults_bindAndJoinOnLoopbackOnly() {
        Config config = MemberConfigFactory.create(MemberSettings.defaults(), null, LOADER);

        NetworkConfig network = config.getNetworkConfig();
        JoinConfig join = network.getJoin();
        assertTrue(network.getInterfaces().isEnabled());
        assertEquals(List.of("127.0.0.1"), List.copyOf(network.getInterfaces().getInterfaces()));
        assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
        assertEquals("127.0.0.1", config.getProperty("hazelcast.local.localAddress"));
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertTrue(join.getTcpIpConfig().isEnabled());
        assertEquals(10, join.getTcpIpConfig().getMembers().size());
        assertEquals(5701, network.getPort());
        assertEquals(10, network.getPortCount());
        assertTrue(network.isPortAutoIncrement());
        assertTrue(network.isReuseAddress());
    }

    @Test
    public void defaults_setCohortProperties() {
        Config config = MemberConfigFactory.create(MemberSettings.defaults(), null, LOADER);

        assertEquals("cohort", config.getClusterName());
        assertSame(LOADER, config.getClassLoader());
        assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
        assertEquals("slf4j", config.getProperty("hazelcast.logging.type"));
        assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
        assertEquals("30", config.getProperty("hazelcast.graceful.shutdown.max.wait"));
        assertNull(config.getProperty("hazelcast.map.invalidation.batch.enabled"));
        assertEquals(0, config.getCPSubsystemConfig().getCPMemberCount());
        assertEquals(10, config.getCPSubsystemConfig().getSessionTimeToLiveSeconds());
        assertEquals(2, config.getCPSubsystemConfig().getSessionHeartbeatIntervalSeconds());
        assertEquals(1, config.getCPSubsystemConfig().findLockConfig("cohort.lock.app:key").getLockAcquireLimit());
        assertEquals(10_000, config.findRingbufferConfig("cohort.topic.app:channel").getCapacity());
        assertEquals(0, config.findRingbufferConfig("cohort.topic.app:channel").getTimeToLiveSeconds());
    }

    @Test
    public void metrics_offEvenWhenYamlEnablesThem() throws IOException {
        Path yaml = write("hazelcast.yaml", """
                hazelcast:
                  metrics:
                    enabled: true
                """);

        Config withoutYaml = MemberConfigFactory.create(MemberSettings.defaults(), null, LOADER);
        Config withYaml = MemberConfigFactory.create(MemberSettings.defaults(), yaml, LOADER);

        assertFalse(withoutYaml.getMetricsConfig().isEnabled());
        assertFalse(withYaml.getMetricsConfig().isEnabled());
    }

    @Test
    public void nearCache_turnsInvalidationBatchingOff() {
        MemberSettings settings = MemberSettings.parse(Map.of(MemberSettings.NEAR_CACHE, true));

        Config config = MemberConfigFactory.create(settings, null, LOADER);

        assertEquals("false", config.getProperty("hazelcast.map.invalidation.batch.enabled"));
    }

    @Test
    public void yamlFile_isTheBase_andSettingsWin() throws IOException {
        Path yaml = write("hazelcast.yaml", """
                hazelcast:
                  cluster-name: from-yaml
                  properties:
                    hazelcast.partition.count: 7
                  network:
                    port:
                      port: 6000
                    join:
                      multicast:
                        enabled: true
                  map:
                    cohort.cache.*:
                      backup-count: 2
                """);

        Config config = MemberConfigFactory.create(MemberSettings.defaults(), yaml, LOADER);

        assertEquals("cohort", config.getClusterName());
        assertEquals(5701, config.getNetworkConfig().getPort());
        assertFalse(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
        assertEquals("7", config.getProperty("hazelcast.partition.count"));
        assertEquals(2, config.findMapConfig("cohort.cache.app:users").getBackupCount());
    }

    @Test
    public void emptyMembersAndInterface_keepTheYamlNetwork() throws IOException {
        Path yaml = write("hazelcast.yaml", """
                hazelcast:
                  network:
                    interfaces:
                      enabled: true
                      interfaces:
                        - 10.1.2.3
                    join:
                      multicast:
                        enabled: false
                      auto-detection:
                        enabled: false
                      tcp-ip:
                        enabled: true
                        member-list:
                          - 10.1.2.4
                """);
        MemberSettings settings = MemberSettings.parse(Map.of(MemberSettings.MEMBERS, "",
                MemberSettings.INTERFACE, ""));

        Config config = MemberConfigFactory.create(settings, yaml, LOADER);

        assertEquals(List.of("10.1.2.4"), config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
        assertEquals(List.of("10.1.2.3"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
        assertNull(config.getProperty("hazelcast.local.localAddress"));
    }

    @Test
    public void emptyMembers_withoutYaml_isRejected() {
        MemberSettings settings = MemberSettings.parse(Map.of(MemberSettings.MEMBERS, ""));

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> MemberConfigFactory.create(settings, null, LOADER));

        assertTrue(error.getMessage(), error.getMessage().contains("members is empty"));
    }

    @Test
    public void yamlFile_invalidOrMissing_namesPath() throws IOException {
        Path invalid = write("broken.yaml", "hazelcast:\n  network: [unclosed\n");
        Path missing = folder.getRoot().toPath().resolve("missing.yaml");

        IllegalArgumentException brokenError = assertThrows(IllegalArgumentException.class,
                () -> MemberConfigFactory.create(MemberSettings.defaults(), invalid, LOADER));
        IllegalArgumentException missingError = assertThrows(IllegalArgumentException.class,
                () -> MemberConfigFactory.create(MemberSettings.defaults(), missing, LOADER));

        assertTrue(brokenError.getMessage(), brokenError.getMessage().contains(invalid.toString()));
        assertTrue(missingError.getMessage(), missingError.getMessage().contains(missing.toString()));
    }

    @Test
    public void yamlFile_underHome_foundWhenPresent() throws IOException {
        Path home = folder.newFolder("home").toPath();
        assertNull(MemberConfigFactory.yamlFile(MemberSettings.defaults(), home));
        assertNull(MemberConfigFactory.yamlFile(MemberSettings.defaults(), null));

        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/hazelcast.yaml"), "hazelcast: {}\n");

        assertEquals(home.resolve("etc/hazelcast.yaml"), MemberConfigFactory.yamlFile(MemberSettings.defaults(), home));
        MemberSettings relative = MemberSettings.parse(Map.of(MemberSettings.CONFIG_FILE, "conf/grid.yaml"));
        assertEquals(home.resolve("conf/grid.yaml"), MemberConfigFactory.yamlFile(relative, home));
    }

    private Path write(String name, String content) throws IOException {
        Path file = folder.getRoot().toPath().resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
