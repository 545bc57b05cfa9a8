package io.cohort.api.admin;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The views of {@link NodeAdmin} gathered from every node of the cluster.
 *
 * <p>Each query sends a request to every node through the pub/sub adapter and waits until every node that this
 * node expects has responded, or until the timeout. This node computes its own rows directly, without the pub/sub
 * adapter. An expected node that did not respond in time is listed in {@link ClusterResult#missing()}, not left
 * out. This node expects the nodes that announced themselves when they started, or sent or responded to a query,
 * and drops a node that announces its stop.
 *
 * <p><b>Warning:</b> a node that stopped without announcing it (killed, or cut off) stays listed as missing until
 * this node restarts. A node that started while the pub/sub adapter could not reach this node is not expected until it
 * sends or responds to a query, so it cannot be listed as missing before that.
 *
 * <p>Thread safety: all methods may be called from any thread. Each blocks the calling thread for at most the
 * timeout, plus the time this node takes for its own rows.
 */
@ProviderType
public interface ClusterAdmin {

    /** The timeout of the shell's cluster views: 2 seconds. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /** The maximum timeout: 1 minute. */
    Duration MAX_TIMEOUT = Duration.ofMinutes(1);

    /**
     * Returns the caches of every node.
     *
     * @param timeout how long to wait for the other nodes; positive and at most {@link #MAX_TIMEOUT}
     * @throws IllegalArgumentException if the timeout is out of range
     */
    ClusterResult<CacheView> caches(Duration timeout);

    /** Returns the pub/sub channels of every node, as {@link #caches(Duration)} does for caches. */
    ClusterResult<ChannelView> channels(Duration timeout);

    /** Returns the queue channels of every node, as {@link #caches(Duration)} does for caches. */
    ClusterResult<QueueView> queues(Duration timeout);

    /** Returns the leases held on every node, as {@link #caches(Duration)} does for caches. */
    ClusterResult<LockView> locks(Duration timeout);

    /** Returns the sync channels of every node, as {@link #caches(Duration)} does for caches. */
    ClusterResult<SyncChannelView> syncChannels(Duration timeout);
}
