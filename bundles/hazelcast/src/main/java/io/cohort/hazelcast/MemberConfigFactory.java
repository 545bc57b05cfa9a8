package io.cohort.hazelcast;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.ReliableTopicConfig;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.config.cp.CPSubsystemConfig;
import com.hazelcast.config.cp.FencedLockConfig;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.topic.TopicOverloadPolicy;

import io.cohort.api.spi.Envelope;

/**
 * Builds the Hazelcast configuration of a Cohort member: {@code hazelcast.yaml} when there is one, then the
 * {@link MemberSettings} on top, then what Cohort's adapters need, whatever the file contains.
 */
final class MemberConfigFactory {

    /** Messages each reliable topic listener reads per call; larger batches cost fewer calls under load. */
    static final int TOPIC_READ_BATCH_SIZE = 100;

    private MemberConfigFactory() {
    }

    /**
     * Returns the configuration of one member.
     *
     * @param settings the validated settings
     * @param yamlFile the Hazelcast yaml file to start from, or {@code null} to start from Hazelcast's defaults
     * @param classLoader the loader Hazelcast uses for classes of this bundle (entry processors, predicates); in
     *     OSGi, Hazelcast's own bundle cannot see them
     * @throws IllegalArgumentException if the yaml file is missing or invalid, or if {@code members} is empty without
     *     a yaml file to take the join configuration from
     */
    static Config create(MemberSettings settings, Path yamlFile, ClassLoader classLoader) {
        Config config = yamlFile == null ? new Config() : load(yamlFile);
        config.setClassLoader(classLoader);
        config.setClusterName(settings.clusterName());

        network(config, settings, yamlFile);
        cpSubsystem(config.getCPSubsystemConfig(), settings);
        topics(config, settings);
        for (CompactSerializer<?> serializer : CompactSerializers.all()) {
            config.getSerializationConfig().getCompactSerializationConfig().addSerializer(serializer);
        }
        config.getSerializationConfig().addSerializerConfig(new SerializerConfig()
                .setTypeClass(Envelope.class).setImplementation(new EnvelopeSerializer()));

        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        // The OSGi framework stops the member through HazelcastMember. A JVM shutdown hook of Hazelcast's own would
        // race with it and close the member under adapters that are still settling tasks.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.graceful.shutdown.max.wait", Integer.toString(settings.shutdownTimeoutSeconds()));
        disableMetrics(config);
        if (settings.nearCache()) {
            // Hazelcast 5.4 batches invalidations and sends a partial batch only every 10 seconds, so a near cache
            // would serve old values that long after a write elsewhere. Unbatched, the delay is one message.
            config.setProperty("hazelcast.map.invalidation.batch.enabled", "false");
        }
        return config;
    }

    /**
     * Turns off Hazelcast's metrics collection, which only feeds JMX and Management Center, and Cohort reads neither.
     * A collection runs every 5 s and reads the statistics of each map partition by partition. During a graceful
     * shutdown in a cluster, the partitions that the member handed over have no backup replica while it is still a
     * member, and Hazelcast 5.4 waits up to 300 ms for each of them in each map. Stopping the member's executors
     * interrupts that wait, which logged a WARN with a stack trace from {@code MetricsCollectionCycle} at the stop.
     * The Hazelcast property {@code hazelcast.metrics.enabled=true}, as a JVM system property or in the yaml file's
     * {@code properties}, turns collection on again, because Hazelcast applies it over this configuration at start.
     */
    private static void disableMetrics(Config config) {
        config.getMetricsConfig().setEnabled(false);
    }

    private static Config load(Path yamlFile) {
        try {
            return Config.loadFromFile(yamlFile.toFile());
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("Hazelcast configuration file " + yamlFile + " is missing", e);
        } catch (InvalidConfigurationException e) {
            throw new IllegalArgumentException("Hazelcast configuration file " + yamlFile + " is invalid: "
                    + e.getMessage(), e);
        }
    }

    private static void network(Config config, MemberSettings settings, Path yamlFile) {
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortCount(settings.portCount())
                .setPortAutoIncrement(settings.portCount() > 1);
        // A node restarted right after a stop gets its own port back although the old connections on it are still
        // in TIME_WAIT; without this it would move to the next port, or fail with port.count 1.
        network.setReuseAddress(true);

        if (!settings.bindInterface().isEmpty()) {
            network.getInterfaces().clear().setEnabled(true).addInterface(settings.bindInterface());
            config.setProperty("hazelcast.socket.bind.any", "false");
            config.setProperty("hazelcast.local.localAddress", settings.bindInterface());
        }

        if (settings.members().isEmpty()) {
            if (yamlFile == null) {
                throw new IllegalArgumentException(HazelcastMember.PID + " setting " + MemberSettings.MEMBERS
                        + " is empty and there is no hazelcast.yaml to take the join configuration from; list the "
                        + "member addresses, for example 127.0.0.1:5701-5710");
            }
            return;
        }
        // A fresh join configuration drops any discovery the yaml file enabled, which Hazelcast would reject next to
        // TCP/IP. Multicast and auto-detection are on by default and would reach beyond the listed members.
        JoinConfig join = new JoinConfig();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
        network.setJoin(join);
    }

    private static void cpSubsystem(CPSubsystemConfig cp, MemberSettings settings) {
        cp.setCPMemberCount(settings.cpMemberCount());
        cp.setSessionTimeToLiveSeconds(settings.cpSessionTtlSeconds());
        cp.setSessionHeartbeatIntervalSeconds(settings.cpHeartbeatSeconds());
        // The lock manager rejects reentry itself. A limit of one also makes Hazelcast fail a second acquire under
        // the same owner id instead of counting it.
        cp.addLockConfig(new FencedLockConfig(GridNames.LOCK_PREFIX + "*", 1));
    }

    /**
     * Configures every pub/sub topic as a reliable topic whose ringbuffer keeps {@code topic.capacity} messages and
     * never expires them. Without a ttl, a full ringbuffer overwrites its oldest message, so publishers do not block
     * and the overload policy does not apply. A listener that falls that far behind skips what was overwritten.
     */
    private static void topics(Config config, MemberSettings settings) {
        String topics = GridNames.TOPIC_PREFIX + "*";
        config.addReliableTopicConfig(new ReliableTopicConfig(topics)
                .setReadBatchSize(TOPIC_READ_BATCH_SIZE)
                .setTopicOverloadPolicy(TopicOverloadPolicy.DISCARD_OLDEST)
                .setStatisticsEnabled(true));
        // Hazelcast 5.4 names the ringbuffer of topic T "_hz_rb_T" but looks its configuration up under T.
        config.addRingBufferConfig(new RingbufferConfig(topics)
                .setCapacity(settings.topicCapacity())
                .setTimeToLiveSeconds(0)
                .setBackupCount(1)
                .setAsyncBackupCount(0));
    }

    /** Returns the yaml file to start from: {@code config.file}, else {@code <home>/etc/hazelcast.yaml} if present. */
    static Path yamlFile(MemberSettings settings, Path home) {
        if (!settings.configFile().isEmpty()) {
            Path configured = Path.of(settings.configFile());
            return home == null || configured.isAbsolute() ? configured : home.resolve(configured);
        }
        if (home == null) {
            return null;
        }
        Path standard = home.resolve("etc").resolve("hazelcast.yaml");
        return Files.isRegularFile(standard) ? standard : null;
    }
}
