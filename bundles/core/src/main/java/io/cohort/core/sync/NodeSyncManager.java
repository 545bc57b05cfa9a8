package io.cohort.core.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.api.sync.SyncHandler;
import io.cohort.api.sync.SyncOptions;
import io.cohort.api.tx.Transaction;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.Names;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.ResourceCounter;
import io.cohort.core.pubsub.DeliveryThreads;
import io.cohort.core.pubsub.TopicRouter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync service of this node: it backs every bundle's {@link BundleSyncMessageManager} and, as
 * {@link PluginSync}, the sync channel of each plugin.
 *
 * <p>Sync messages travel through the pub/sub adapter named by {@link NodeSettings#pubSubAdapter()}, on reserved
 * topics that no pub/sub channel can name, because channel names never contain {@code #}:
 * <ul>
 *   <li>{@code <app>:#sync:<channel>} for a channel of the general API;</li>
 *   <li>{@code <app>:#sync-plugin:<plugin>} for all channels of one plugin. The channel travels inside the payload
 *   (see {@link SyncWire}).</li>
 * </ul>
 * Every envelope is marked {@link Envelope#skipSource()}, so the sending node never receives its own sync messages.
 * Handlers run on the shared threads {@code cohort-sync-<node>-N}, one message at a time per subscription.
 *
 * <p>With a transaction in the options, the message is encoded at the call and handed to the adapter by the
 * transaction's after-commit callback, so messages of one transaction leave in publish order; a rollback drops them.
 */
@Component(service = {NodeSyncManager.class, PluginSync.class, ResourceCounter.class})
public final class NodeSyncManager implements PluginSync, ResourceCounter {

    /** Maximum time that closing a subscription waits for its running handler call to return. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** Each subscription logs at most one failure per interval and counts the others. */
    static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(10);

    /** Topic prefix of plugin channels, and the channel that {@link Subscription#channel()} reports for them. */
    static final String PLUGIN_PREFIX = "#sync-plugin:";

    private static final String GENERAL_PREFIX = "#sync:";

    private static final Logger LOG = LoggerFactory.getLogger(NodeSyncManager.class);

    private final NodeSettings settings;
    private final JsonCodec codec = new JsonCodec();
    private final TopicRouter router;
    private final ExecutorService deliveryPool;
    private final Set<SyncSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Map<SyncCounters.Key, SyncCounters> counters = new ConcurrentHashMap<>();

    @Activate
    public NodeSyncManager(@Reference(name = "settings") NodeSettings settings) {
        this.settings = settings;
        this.router = new TopicRouter("sync manager", settings);
        this.deliveryPool = DeliveryThreads.pool("cohort-sync-" + settings.nodeId());
        LOG.info("Sync manager started on node {} for application {} (adapter '{}')", settings.nodeId(),
                settings.appName(), settings.pubSubAdapter());
    }

    @Reference(name = "adapter", service = PubSubAdapter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeAdapter")
    void addAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterAdded(adapter, properties);
    }

    void removeAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterRemoved(adapter, properties);
    }

    /** Closes every subscription and stops the delivery threads; messages waiting for a commit are then dropped. */
    @Deactivate
    public void deactivate() {
        router.close();
        int open = subscriptions.size();
        for (SyncSubscription subscription : new ArrayList<>(subscriptions)) {
            subscription.close();
        }
        DeliveryThreads.shutdown(deliveryPool, "cohort-sync-" + settings.nodeId());
        LOG.info("Sync manager stopped on node {}; closed {} subscriptions", settings.nodeId(), open);
    }

    /**
     * Sends {@code message} on {@code channel} of the general API to the other nodes, now or after the transaction
     * in {@code options} commits.
     *
     * @throws IllegalArgumentException if the channel is invalid, the options are null, or the message is null or
     *     cannot be written as JSON
     * @throws IllegalStateException if the transaction has ended, the node is stopping, or (when sending now) the
     *     adapter is not registered
     */
    public void publish(String channel, Object message, SyncOptions options) {
        Names.requireName("channel", channel);
        send(null, channel, generalTopic(channel), message, options);
    }

    /**
     * Subscribes {@code handler} to the sync messages that other nodes send on {@code channel} of the general API.
     *
     * @param owner the subscribing bundle, for logs
     * @param onClose called once when the subscription closes, by whatever closes it
     * @throws IllegalArgumentException if the channel is invalid or the handler is null
     * @throws IllegalStateException if the node is stopping
     */
    public Subscription subscribe(String owner, String channel, SyncHandler handler,
            Consumer<Subscription> onClose) {
        Names.requireName("channel", channel);
        requireHandler(handler, "channel " + channel);
        return open(new SyncSubscription(this, owner, null, channel, generalTopic(channel), handler,
                onClose::accept));
    }

    @Override
    public Subscription subscribePlugin(String pluginName, SyncHandler handler) {
        Names.requirePluginName(pluginName);
        requireHandler(handler, "plugin " + pluginName);
        return open(new SyncSubscription(this, "plugin " + pluginName, pluginName, PLUGIN_PREFIX + pluginName,
                pluginTopic(pluginName), handler, closed -> { }));
    }

    @Override
    public void sendPlugin(String pluginName, String channel, Object message, SyncOptions options) {
        Names.requirePluginName(pluginName);
        Names.requireName("channel", channel);
        send(pluginName, channel, pluginTopic(pluginName), message, options);
    }

    /** Returns the totals of each sync channel used on this node since start, general channels first. */
    public Map<SyncCounters.Key, SyncCounters.Counts> channelCounts() {
        Map<SyncCounters.Key, SyncCounters.Counts> snapshot = new TreeMap<>(Comparator
                .comparing((SyncCounters.Key key) -> key.plugin() == null ? "" : key.plugin())
                .thenComparing(SyncCounters.Key::channel));
        counters.forEach((key, channelCounters) -> snapshot.put(key, channelCounters.snapshot()));
        return snapshot;
    }

    @Override
    public Map<String, Long> resourceCounts() {
        return Map.of("sync.subscriptions", (long) subscriptions.size());
    }

    private String generalTopic(String channel) {
        return settings.scoped(GENERAL_PREFIX + channel);
    }

    private String pluginTopic(String pluginName) {
        return settings.scoped(PLUGIN_PREFIX + pluginName);
    }

    /** Validates the options and the message, then sends now or registers the after-commit send. */
    private void send(String plugin, String channel, String topic, Object message, SyncOptions options) {
        String description = plugin == null ? "sync message on channel " + channel
                : "sync message of plugin " + plugin + " on channel " + channel;
        if (options == null) {
            throw new IllegalArgumentException("options is null for " + description
                    + "; expected SyncOptions.immediate() or SyncOptions.afterCommit(transaction)");
        }
        byte[] wire = SyncWire.encode(channel, codec.encode(description, message));
        SyncCounters.Key key = new SyncCounters.Key(plugin, channel);

        Transaction transaction = options.transaction();
        if (transaction == null) {
            sendNow(topic, key, wire);
            return;
        }
        if (router.isClosed()) {
            throw new IllegalStateException("node is stopping: the sync manager of node " + settings.nodeId()
                    + " sends no more messages; " + description + " was not sent");
        }
        if (!transaction.isActive()) {
            throw new IllegalStateException("transaction has already ended, so " + description + " was not sent; "
                    + "publish while the transaction runs, or use SyncOptions.immediate()");
        }
        transaction.afterCommit(() -> sendAfterCommit(topic, key, wire, description));
        LOG.debug("Node {}: {} waits for its transaction to commit", settings.nodeId(), description);
    }

    /** Sends a message whose transaction committed; failures are logged because the committer cannot act on them. */
    private void sendAfterCommit(String topic, SyncCounters.Key key, byte[] wire, String description) {
        if (router.isClosed()) {
            LOG.warn("Node {} is stopping, so {} was dropped after its transaction committed", settings.nodeId(),
                    description);
            return;
        }
        try {
            sendNow(topic, key, wire);
        } catch (RuntimeException e) {
            LOG.error("Node {}: {} was not sent after its transaction committed", settings.nodeId(), description, e);
        }
    }

    private void sendNow(String topic, SyncCounters.Key key, byte[] wire) {
        Envelope envelope = new Envelope(UUID.randomUUID().toString(), settings.nodeId(), System.currentTimeMillis(),
                /* skipSource= */ true, wire);
        router.publish(topic, envelope);
        counters(key).sent.increment();
        LOG.debug("Node {} sent sync message {} on {}", settings.nodeId(), envelope.id(), key);
    }

    private Subscription open(SyncSubscription subscription) {
        subscriptions.add(subscription);
        try {
            router.addReceiver(subscription.topic(), subscription);
        } catch (RuntimeException e) {
            subscriptions.remove(subscription);
            throw e;
        }
        LOG.debug("Node {}: sync subscription to {} opened", settings.nodeId(), subscription.channel());
        return subscription;
    }

    private static void requireHandler(SyncHandler handler, String target) {
        if (handler == null) {
            throw new IllegalArgumentException("handler is null; expected a SyncHandler for " + target);
        }
    }

    /** Removes a closed subscription from the node's count. */
    void closed(SyncSubscription subscription) {
        subscriptions.remove(subscription);
    }

    TopicRouter router() {
        return router;
    }

    JsonCodec codec() {
        return codec;
    }

    ExecutorService deliveryPool() {
        return deliveryPool;
    }

    SyncCounters counters(SyncCounters.Key key) {
        return counters.computeIfAbsent(key, k -> new SyncCounters());
    }
}
