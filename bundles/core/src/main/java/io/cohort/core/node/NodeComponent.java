package io.cohort.core.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.cohort.api.node.ConfigurationError;
import io.cohort.api.spi.Adapters;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and validates the node configuration, and registers it as {@link NodeSettings} for the managers.
 *
 * <p>An invalid configuration registers no {@link NodeSettings}, so no manager starts with it. It is logged as one
 * ERROR naming the setting, its value and what is allowed, and registered as a {@link ConfigurationError} for
 * {@code cohort:info}. The component does not throw, because SCR would log a stack trace for bad input that the
 * message already explains. The framework and every other bundle keep running, and fixing the file brings the
 * managers back.
 */
@Component(configurationPid = NodeComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class NodeComponent {

    /** The configuration PID, read from {@code etc/io.cohort.core.cfg} in the distribution. */
    public static final String PID = "io.cohort.core";

    /** Framework property with the node's data directory. */
    public static final String DATA_DIR_PROPERTY = "cohort.data";

    private static final Logger LOG = LoggerFactory.getLogger(NodeComponent.class);
    private static final Pattern ADAPTER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final long MAX_MILLIS = Duration.ofMinutes(10).toMillis();
    private static final Set<String> KNOWN_KEYS = new TreeSet<>(Set.of("app.name", "node.id", "cache.store",
            "pubsub.adapter", "queue.adapter", "lock.adapter", "queue.shutdown.timeout.ms", "queue.consume",
            "pubsub.start.window.ms"));
    /** The settings that choose an adapter, in the order the warning for unset ones names them. */
    private static final List<String> ADAPTER_KEYS = List.of("cache.store", "pubsub.adapter", "queue.adapter",
            "lock.adapter");

    private ServiceRegistration<?> registration;

    /** The node configuration. Every setting has a default, so the file is optional. */
    public @interface Config {

        /** Application name that scopes every channel, cache key and lock key; a-z 0-9 -, at most 63. */
        String app_name() default "cohort";

        /** Node id; empty means generate one on first start and keep it in {@code data/node.id}. */
        String node_id() default "";

        /*
         * The four adapter settings have no annotation default, so that the component's properties contain them only
         * when the configuration sets them, and the node can warn about unset ones. Unset means memory.
         */

        /** Store of caches created without one; unset means {@code memory}. */
        String cache_store();

        /** Adapter of the pub/sub and sync managers; unset means {@code memory}. */
        String pubsub_adapter();

        /** Adapter of the event queue; unset means {@code memory}. */
        String queue_adapter();

        /** Adapter of the lock manager; unset means {@code memory}. */
        String lock_adapter();

        /** Milliseconds that stopping consumers wait for running tasks before cancelling them; 0 to 600000. */
        String queue_shutdown_timeout_ms() default "10000";

        /**
         * Event queue channels whose tasks this node runs: {@code all}, {@code none} or a comma-separated list. The
         * tasks of a channel that no node consumes wait in the queue.
         */
        String queue_consume() default "all";

        /**
         * Milliseconds after the node joined during which a new pub/sub or sync subscription first receives every
         * message published since the join; 0 to 600000.
         */
        String pubsub_start_window_ms() default "60000";
    }

    @Activate
    void activate(BundleContext context, Config config, Map<String, Object> properties) throws IOException {
        missingConfigurationWarning(properties).ifPresent(LOG::warn);
        unsetAdaptersWarning(properties).ifPresent(LOG::warn);
        warnAboutUnknownKeys(properties);
        NodeSettings settings;
        try {
            settings = settings(context, config);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid node configuration {}: {}. The managers stay stopped until it is fixed.", PID,
                    e.getMessage());
            registration = context.registerService(ConfigurationError.class, new ConfigurationError(PID,
                    e.getMessage()), null);
            return;
        }

        registration = context.registerService(NodeSettings.class, settings, null);
        LOG.info("Node {} started for application {} (data {}, adapters: cache={}, pubsub={}, queue={}, lock={}; "
                + "pub/sub start window {} ms)", settings.nodeId(), settings.appName(), settings.dataDir(),
                settings.cacheStore(), settings.pubSubAdapter(), settings.queueAdapter(), settings.lockAdapter(),
                settings.startWindow().toMillis());
        LOG.info(queueRoleMessage(settings.nodeId(), settings.queueRole()));
        emptyQueueConsumeWarning(settings.nodeId(), config.queue_consume()).ifPresent(LOG::warn);
    }

    /** Returns the start line that names the event queue channels whose tasks the node runs, or none. */
    static String queueRoleMessage(String nodeId, QueueRole role) {
        if (role.all()) {
            return "Node " + nodeId + " runs the tasks of every event queue channel (queue.consume=all)";
        }
        if (role.channels().isEmpty()) {
            return "Node " + nodeId + " runs the tasks of no event queue channel (queue.consume=none): it publishes "
                    + "tasks, and the nodes that consume their channels run them";
        }
        return "Node " + nodeId + " runs the tasks of the event queue channels " + role.describe() + " only "
                + "(queue.consume=" + role.describe() + "); its consumers of other channels stay idle";
    }

    /**
     * Returns the warning for an empty {@code queue.consume}, which means {@code none}. Without it, a line such as
     * {@code queue.consume=} whose value was deleted would leave the node's consumers idle without a sign.
     */
    static Optional<String> emptyQueueConsumeWarning(String nodeId, String value) {
        if (value != null && !value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of("queue.consume in configuration " + PID + " is empty, which means none, so node " + nodeId
                + " runs no event queue tasks; write queue.consume=none to keep that without this warning, or set all "
                + "(every channel) or a comma-separated list of channel names");
    }

    private static NodeSettings settings(BundleContext context, Config config) throws IOException {
        Path dataDir = dataDir(context);
        return new NodeSettings(
                Names.requireAppName(config.app_name()),
                nodeId(config.node_id(), dataDir),
                dataDir,
                adapterName("cache.store", orMemory(config.cache_store())),
                adapterName("pubsub.adapter", orMemory(config.pubsub_adapter())),
                adapterName("queue.adapter", orMemory(config.queue_adapter())),
                adapterName("lock.adapter", orMemory(config.lock_adapter())),
                milliseconds("queue.shutdown.timeout.ms", config.queue_shutdown_timeout_ms()),
                QueueRole.parse(config.queue_consume()),
                milliseconds("pubsub.start.window.ms", config.pubsub_start_window_ms()));
    }

    /**
     * Returns the warning for a node that runs without its configuration, such as after {@code etc/io.cohort.core.cfg}
     * was deleted: every adapter then defaults to {@code memory}, so the node silently stops sharing with the cluster.
     * Configuration admin sets {@code service.pid} in the component's properties only when a configuration exists.
     */
    static Optional<String> missingConfigurationWarning(Map<String, Object> properties) {
        if (properties.containsKey(Constants.SERVICE_PID)) {
            return Optional.empty();
        }
        return Optional.of("Node configuration " + PID + " not found (no etc/" + PID + ".cfg, or one that FileInstall "
                + "could not apply, which cohort:info names); using the defaults, "
                + "which run the cache, pub/sub, queue and lock managers on the memory adapters, so this node shares "
                + "nothing with the cluster");
    }

    /**
     * Returns the warning for a configuration that exists but leaves adapter settings out, such as an emptied or
     * overwritten {@code etc/io.cohort.core.cfg}: the managers of those settings then default to {@code memory}, and
     * the node stops sharing their state while its Hazelcast member still joins the cluster.
     */
    static Optional<String> unsetAdaptersWarning(Map<String, Object> properties) {
        if (!properties.containsKey(Constants.SERVICE_PID)) {
            return Optional.empty();
        }
        List<String> unset = ADAPTER_KEYS.stream().filter(key -> !properties.containsKey(key)).toList();
        if (unset.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Node configuration " + PID + " does not set " + String.join(", ", unset) + "; those "
                + "managers use the memory adapter, so this node shares their state with no other node. Set each to "
                + "hazelcast to share it, or to memory to keep it local without this warning");
    }

    /** Logs a WARN for each setting this component does not know, such as a misspelt key. */
    private static void warnAboutUnknownKeys(Map<String, Object> properties) {
        for (String key : properties.keySet()) {
            boolean framework = key.startsWith("service.") || key.startsWith("component.")
                    || key.startsWith("felix.") || key.startsWith("osgi.") || key.equals("objectClass");
            if (!framework && !KNOWN_KEYS.contains(key)) {
                LOG.warn("Ignoring unknown setting '{}' in configuration {}; known settings: {}", key, PID,
                        KNOWN_KEYS);
            }
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        LOG.info("Node settings of configuration {} withdrawn", PID);
    }

    static Path dataDir(BundleContext context) throws IOException {
        String configured = context.getProperty(DATA_DIR_PROPERTY);
        Path dir = configured == null || configured.isBlank()
                ? Paths.get(System.getProperty("user.dir"), "data")
                : Paths.get(configured);
        return Files.createDirectories(dir.toAbsolutePath().normalize());
    }

    static String nodeId(String configured, Path dataDir) throws IOException {
        if (configured != null && !configured.isBlank()) {
            if (!NODE_ID.matcher(configured).matches()) {
                throw new IllegalArgumentException("node.id '" + Names.abbreviate(configured)
                        + "' is invalid; expected 1 to 64 characters from A-Z a-z 0-9 . _ -, or empty to generate one");
            }
            return configured;
        }
        Path file = dataDir.resolve("node.id");
        if (Files.exists(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (NODE_ID.matcher(stored).matches()) {
                return stored;
            }
            LOG.warn("Ignoring invalid node id '{}' in {}; generating a new one", Names.abbreviate(stored), file);
        }
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String generated = "node-" + HexFormat.of().formatHex(random);
        Files.writeString(file, generated + "\n", StandardCharsets.UTF_8);
        return generated;
    }

    private static String orMemory(String adapter) {
        return adapter == null ? Adapters.MEMORY : adapter;
    }

    static String adapterName(String setting, String value) {
        if (value == null || !ADAPTER_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(setting + " '" + Names.abbreviate(String.valueOf(value))
                    + "' is invalid; expected an adapter name of 1 to 32 characters from a-z 0-9 -, such as memory");
        }
        return value;
    }

    /** Parses {@code setting}, a whole number of milliseconds from 0 to ten minutes. */
    static Duration milliseconds(String setting, String value) {
        long millis;
        try {
            millis = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            String problem = value.trim().matches("[+-]?\\d+") ? "is out of range" : "is not a number";
            throw new IllegalArgumentException(setting + " '" + Names.abbreviate(value) + "' " + problem
                    + "; expected milliseconds from 0 to " + MAX_MILLIS, e);
        }
        if (millis < 0 || millis > MAX_MILLIS) {
            throw new IllegalArgumentException(setting + " " + millis + " is out of range; expected 0 to "
                    + MAX_MILLIS);
        }
        return Duration.ofMillis(millis);
    }
}
