package io.cohort.hazelcast;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.cohort.api.spi.Adapters;

import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Hazelcast member of this node, which the Hazelcast adapters share. {@link MemberComponent} starts it
 * from configuration PID {@value #PID} (settings in {@link MemberSettings}) and registers it for the adapters.
 *
 * <p>A changed configuration does not restart a running member, because the restart would drop the entries and
 * tasks it holds, and every node of a folder reads the same file, so all members would restart at once and the
 * cluster would lose its data. {@link #modified} logs what changed, and the new settings take effect at the node's
 * next start. The configuration starts from {@code ${cohort.home}/etc/hazelcast.yaml} when that file exists, and
 * the PID's settings win over the same settings in the file.
 *
 * <p>The member is created with {@link Hazelcast#newHazelcastInstance(Config)}, not through the
 * {@code HazelcastOSGiService} that Hazelcast's bundle registers. That service would register the instance as an
 * OSGi service that every bundle can see, so plugins could reach the grid past the managers, and it renames a
 * cluster called {@code dev} after the service id. The member is registered under this bundle-private class
 * instead, so only this bundle's adapters can use the instance. Classes of this bundle reach Hazelcast through
 * {@link Config#setClassLoader}, since Hazelcast's bundle cannot load them.
 */
public final class HazelcastMember {

    /** The configuration PID. */
    public static final String PID = "io.cohort.hazelcast";

    /** Framework property with the installation directory; its {@code etc/hazelcast.yaml} is read if present. */
    public static final String HOME_PROPERTY = "cohort.home";

    /** The {@code cohort.adapter.name} of every Hazelcast adapter. */
    public static final String ADAPTER_NAME = Adapters.HAZELCAST;

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastMember.class);
    private static final Set<String> PASSED_THROUGH_PREFIXES = Set.of("component.", "service.", "felix.", "osgi.",
            "objectClass");

    private final MemberSettings settings;
    private final HazelcastInstance instance;
    private final JoinPoint joinPoint;

    /**
     * Starts a member.
     *
     * @param home the directory whose {@code etc/hazelcast.yaml} is read if present, or {@code null}
     * @throws IllegalArgumentException if the settings or the yaml file are invalid
     */
    HazelcastMember(MemberSettings settings, Path home) {
        this.settings = settings;
        Path yamlFile = MemberConfigFactory.yamlFile(settings, home);
        Config config = MemberConfigFactory.create(settings, yamlFile, HazelcastMember.class.getClassLoader());
        LOG.info("Starting Hazelcast member of cluster {} on {} port {} (+{}) with configuration {}",
                settings.clusterName(), settings.bindInterface().isEmpty() ? "the yaml interfaces" :
                settings.bindInterface(), settings.port(), settings.portCount() - 1,
                yamlFile == null ? "from settings only" : yamlFile);
        try {
            this.instance = Hazelcast.newHazelcastInstance(config);
        } catch (RuntimeException e) {
            LOG.error("Hazelcast member of cluster {} did not start", settings.clusterName(), e);
            throw e;
        }

        // Recorded first, before anything else delays it: pub/sub replays start here.
        this.joinPoint = JoinPoint.record(instance);
        instance.getCluster().addMembershipListener(new MembershipLog());
        Member local = instance.getCluster().getLocalMember();
        LOG.info("Hazelcast member {} started at {} in cluster {} of {} members; CP subsystem {}", local.getUuid(),
                local.getAddress(), settings.clusterName(), instance.getCluster().getMembers().size(),
                settings.cpMode());
        if (settings.cpMemberCount() == 0) {
            LOG.warn("CP subsystem in unsafe mode: locks are not safe against network partitions; set {} to 3 or more "
                    + "for Raft", MemberSettings.CP_MEMBER_COUNT);
        }
    }

    /**
     * Keeps the running member when its configuration changes, and logs the settings that differ, which take effect
     * at the node's next start. Unknown keys are logged as a WARN, and invalid values as one ERROR naming each of
     * them; the member runs on either way.
     *
     * @return the message naming the PID and every invalid setting, or empty when the configuration is valid
     */
    Optional<String> modified(Map<String, Object> properties) {
        return logChange(settings, properties, localMemberUuid());
    }

    /** Does what {@link #modified} does, for the member {@code memberUuid} that runs with {@code running}. */
    static Optional<String> logChange(MemberSettings running, Map<String, Object> properties, UUID memberUuid) {
        MemberSettings requested;
        try {
            requested = parse(properties);
        } catch (IllegalArgumentException e) {
            // The message starts with the PID and names every invalid setting.
            LOG.error("Ignoring the changed configuration: {}. Hazelcast member {} runs on with its settings",
                    e.getMessage(), memberUuid);
            return Optional.of(e.getMessage());
        }
        List<String> changed = changedSettings(running, requested);
        if (changed.isEmpty()) {
            LOG.info("Configuration {} changed, but not the settings of Hazelcast member {}", PID, memberUuid);
            return Optional.empty();
        }
        LOG.warn("Configuration {} changed {}. Hazelcast member {} keeps running with its settings, because a "
                + "restart would drop the data it holds; restart the node for the new settings to take effect",
                PID, changed, memberUuid);
        return Optional.empty();
    }

    /** Returns {@code key: old -> new} for each setting that differs, named by its key in the configuration file. */
    static List<String> changedSettings(MemberSettings running, MemberSettings requested) {
        Map<String, Object> after = requested.byKey();
        List<String> changed = new ArrayList<>();
        running.byKey().forEach((key, before) -> {
            if (!Objects.equals(before, after.get(key))) {
                changed.add(key + ": " + before + " -> " + after.get(key));
            }
        });
        return changed;
    }

    /** Stops the member: gracefully within {@code shutdown.timeout.seconds}, or at once if so configured. */
    void deactivate() {
        UUID uuid = localMemberUuid();
        long start = System.nanoTime();
        if (settings.gracefulShutdown()) {
            LOG.info("Stopping Hazelcast member {}; handing its partitions over for at most {} s", uuid,
                    settings.shutdownTimeoutSeconds());
            instance.shutdown();
        } else {
            instance.getLifecycleService().terminate();
        }
        LOG.info("Hazelcast member {} stopped in {} ms", uuid, (System.nanoTime() - start) / 1_000_000);
    }

    /** Stops the member at once, as a crash would, without handing over partitions. */
    void terminate() {
        instance.getLifecycleService().terminate();
    }

    HazelcastInstance instance() {
        return instance;
    }

    MemberSettings settings() {
        return settings;
    }

    /** Returns where this member joined its cluster. */
    JoinPoint joinPoint() {
        return joinPoint;
    }

    /**
     * Returns this member's UUID now. Hazelcast gives a member a new UUID when it rejoins after a split brain, so
     * callers that record ownership read it on each use.
     */
    UUID localMemberUuid() {
        return instance.getCluster().getLocalMember().getUuid();
    }

    /**
     * Reads the settings of a new member or of a changed configuration, and logs a WARN naming the settings that are
     * not known.
     *
     * @throws IllegalArgumentException naming every invalid setting and its value
     */
    static MemberSettings parse(Map<String, Object> properties) {
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeIf(key -> PASSED_THROUGH_PREFIXES.stream().anyMatch(key::startsWith)
                || MemberSettings.KEYS.contains(key));
        if (!unknown.isEmpty()) {
            LOG.warn("Ignoring unknown settings {} of {}; known settings: {}", unknown, PID, MemberSettings.KEYS);
        }
        return MemberSettings.parse(properties);
    }

    /** Returns the folder named by framework property {@value #HOME_PROPERTY}, or null when it is not set. */
    static Path home(BundleContext context) {
        String home = context.getProperty(HOME_PROPERTY);
        return home == null || home.isBlank() ? null : Path.of(home);
    }

    /** Logs members joining and leaving the cluster. */
    private final class MembershipLog implements MembershipListener {

        @Override
        public void memberAdded(MembershipEvent event) {
            LOG.info("Hazelcast member {} at {} joined cluster {}; {} members now", event.getMember().getUuid(),
                    event.getMember().getAddress(), settings.clusterName(), event.getMembers().size());
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            LOG.info("Hazelcast member {} at {} left cluster {}; {} members now", event.getMember().getUuid(),
                    event.getMember().getAddress(), settings.clusterName(), event.getMembers().size());
        }
    }
}
