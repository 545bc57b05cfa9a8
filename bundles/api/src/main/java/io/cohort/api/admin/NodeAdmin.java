package io.cohort.api.admin;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.cohort.api.pubsub.Delivery;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Operator access to the managers of this node: read-only views of its caches, channels, queues, locks and sync
 * channels, and the write operations an operator needs while handling an incident.
 *
 * <p>Values and payloads are JSON text. They are stored and sent as JSON values (a string, a number, an object...),
 * so a plugin reads them back as its own types, exactly as if the plugin had written them.
 *
 * <p>Names follow the managers' rules: channels, cache names, cache keys and lock keys are 1 to 200 characters from
 * {@code A-Z a-z 0-9 . _ - : /}. Every method that names a cache, channel, key or task that does not exist, or gets
 * JSON that does not parse, throws {@link IllegalArgumentException} with a one-line message that names the value,
 * and changes nothing.
 *
 * <p>The service carries this node's main totals as service properties, refreshed at most once a second: the node
 * id in {@value #NODE_ID_PROPERTY}, and {@code Long} values under {@value #TOTALS_PREFIX} followed by
 * {@code cache.count}, {@code cache.hits}, {@code cache.misses}, {@code pubsub.published}, {@code pubsub.delivered},
 * {@code pubsub.failed}, {@code pubsub.dropped}, {@code queue.published}, {@code queue.completed},
 * {@code queue.retried}, {@code queue.dead}, {@code queue.running}, {@code lock.held}, {@code sync.sent},
 * {@code sync.received}, {@code sync.handled} and {@code sync.failed}.
 *
 * <p>Thread safety: all methods may be called from any thread. The views are snapshots; counters keep moving.
 */
@ProviderType
public interface NodeAdmin {

    /** Service property with the id of the node whose admin service this is. */
    String NODE_ID_PROPERTY = "cohort.node.id";

    /** Prefix of the service properties that carry the node's totals. */
    String TOTALS_PREFIX = "cohort.totals.";

    /** Returns this node's id. */
    String nodeId();

    /** Returns every cache created on this node, sorted by name. */
    List<CacheView> caches();

    /**
     * Returns the value stored under {@code key} as JSON text, or empty when the key is absent or expired. Reading
     * it does not count as a hit or a miss.
     *
     * @throws IllegalArgumentException if no cache of that name was created on this node, or the key is invalid
     */
    Optional<String> cacheValue(String cache, String key);

    /**
     * Stores the JSON value {@code json} under {@code key}.
     *
     * @param ttl how long the entry lives, at least 1 ms; {@code null} for the cache's default ttl
     * @throws IllegalArgumentException if the cache is unknown, the key or ttl is invalid, or {@code json} is not one
     *     JSON value, or is JSON {@code null}
     */
    void setCacheValue(String cache, String key, String json, Duration ttl);

    /**
     * Deletes {@code keys} from the cache.
     *
     * @return the keys that were present and are deleted now, in the order given
     * @throws IllegalArgumentException if the cache is unknown or a key is invalid; then nothing is deleted
     */
    List<String> deleteCacheKeys(String cache, List<String> keys);

    /**
     * Deletes every entry of the cache, on every node that shares its store.
     *
     * @throws IllegalArgumentException if the cache is unknown
     */
    void resetCache(String cache);

    /** Returns every pub/sub channel that this node published on or has subscriptions to, sorted by channel. */
    List<ChannelView> channels();

    /**
     * Publishes the JSON value {@code json} on {@code channel}, as a plugin would.
     *
     * @throws IllegalArgumentException if the channel is invalid, or {@code json} is not one JSON value or is JSON
     *     {@code null}
     * @throws IllegalStateException if the delivery needs the pub/sub adapter and it is not registered
     */
    void publish(String channel, String json, Delivery delivery);

    /** Returns every queue channel that this node published on or consumes, sorted by channel. */
    List<QueueView> queues();

    /**
     * Returns the dead letters of {@code channel}, oldest first.
     *
     * @throws IllegalArgumentException if the channel is invalid, or this node never used it and it has no dead
     *     letters
     */
    List<DeadLetter> deadLetters(String channel);

    /**
     * Queues the dead letter {@code taskId} again as attempt 1, with the options it was published with.
     *
     * @throws IllegalArgumentException if the channel has no dead letter with that id
     */
    void retryDeadLetter(String channel, String taskId);

    /**
     * Queues every dead letter of {@code channel} again, as {@link #retryDeadLetter} does for one.
     *
     * @return the ids of the tasks queued again, oldest first; empty when the channel had none
     * @throws IllegalArgumentException as {@link #deadLetters} states
     */
    List<String> retryDeadLetters(String channel);

    /**
     * Publishes the JSON value {@code json} as a task on {@code channel}.
     *
     * @return the task id
     * @throws IllegalArgumentException if the channel is invalid, or {@code json} is not one JSON value or is JSON
     *     {@code null}
     * @throws IllegalStateException if the queue adapter is not registered
     */
    String publishTask(String channel, String json, TaskOptions options);

    /** Returns the leases held on this node now, sorted by key. */
    List<LockView> locks();

    /**
     * Returns the lease of {@code key} if this node holds it now.
     *
     * @throws IllegalArgumentException if the key is invalid
     */
    Optional<LockView> lock(String key);

    /**
     * Returns whether any node holds {@code key} now, as the lock adapter reports it.
     *
     * @throws IllegalArgumentException if the key is invalid
     * @throws IllegalStateException if the lock adapter is not registered
     */
    boolean isLocked(String key);

    /** Returns every sync channel this node sent or received on, general channels first, then by plugin. */
    List<SyncChannelView> syncChannels();
}
