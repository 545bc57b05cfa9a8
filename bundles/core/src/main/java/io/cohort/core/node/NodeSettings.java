package io.cohort.core.node;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated node configuration (PID {@value NodeComponent#PID}) that every manager reads.
 *
 * @param appName the application name that scopes channels, cache keys and lock keys
 * @param nodeId this node's id
 * @param dataDir the node's data directory
 * @param cacheStore the store of caches created without one
 * @param pubSubAdapter the adapter of the pub/sub and sync managers
 * @param queueAdapter the adapter of the event queue
 * @param lockAdapter the adapter of the lock manager
 * @param queueShutdownTimeout how long stopping consumers wait for running tasks before cancelling them
 * @param queueRole the event queue channels whose tasks this node runs
 * @param startWindow how long after the node joined the pub/sub adapter a new subscription still receives every
 *     message published since the join
 */
public record NodeSettings(String appName, String nodeId, Path dataDir, String cacheStore, String pubSubAdapter,
        String queueAdapter, String lockAdapter, Duration queueShutdownTimeout, QueueRole queueRole,
        Duration startWindow) {

    /** The start window when {@code pubsub.start.window.ms} is not set. */
    public static final Duration DEFAULT_START_WINDOW = Duration.ofMinutes(1);

    /** Creates the settings of a node with the default start window. */
    public NodeSettings(String appName, String nodeId, Path dataDir, String cacheStore, String pubSubAdapter,
            String queueAdapter, String lockAdapter, Duration queueShutdownTimeout, QueueRole queueRole) {
        this(appName, nodeId, dataDir, cacheStore, pubSubAdapter, queueAdapter, lockAdapter, queueShutdownTimeout,
                queueRole, DEFAULT_START_WINDOW);
    }

    /** Creates the settings of a node that consumes every queue channel, with the default start window. */
    public NodeSettings(String appName, String nodeId, Path dataDir, String cacheStore, String pubSubAdapter,
            String queueAdapter, String lockAdapter, Duration queueShutdownTimeout) {
        this(appName, nodeId, dataDir, cacheStore, pubSubAdapter, queueAdapter, lockAdapter, queueShutdownTimeout,
                QueueRole.ALL);
    }

    /** Returns {@code <app>:<name>}, the full name of a channel, cache region or lock key in the adapters. */
    public String scoped(String name) {
        return appName + ":" + name;
    }
}
