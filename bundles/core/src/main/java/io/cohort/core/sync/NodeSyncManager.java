package io.cohort.core.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.api.spi.SyncOutbox;
import io.cohort.api.sync.SyncHandler;
import io.cohort.api.sync.SyncOptions;
import io.cohort.api.tx.Transaction;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.Ids;
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
import org.osgi.service.component.annotations.ReferencePolicyOption;
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
 * With durable options, the envelope is handed to the registered {@link SyncOutbox} instead, which writes it in the
 * transaction; the outbox's relay publishes it after the commit, at least once.
 *
 * <p>Each subscription remembers the ids of the messages it took during the last {@link #DEDUP_WINDOW} (at most
 * {@link #DEDUP_MAX_IDS} of them) and drops a message whose id it has seen, so a relay that publishes a row again
 * does not run the handler twice.
 */
@Component(service = {NodeSyncManager.class, PluginSync.class, ResourceCounter.class})
public final class NodeSyncManager implements PluginSync, ResourceCounter {

    /** Maximum time that closing a subscription waits for its running handler call to return. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** Each subscription logs at most one failure per interval and counts the others. */
    static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(10);

    /** Topic prefix of plugin channels, and the channel that {@link Subscription#channel()} reports for them. */
    static final String PLUGIN_PREFIX = "#sync-plugin:";

    /**
     * How long a subscription remembers a handled message id. It must be longer than an outbox relay takes to
     * publish a row again after a failed attempt, which is the relay's claim time (30 s by default).
     */
    static final Duration DEDUP_WINDOW = Duration.ofMinutes(10);

    /**
     * Maximum number of message ids that one subscription remembers. Past it, Caffeine evicts ids by its own
     * policy, so a subscription that takes more messages than this within one claim time of a relay can run a
     * repeated message twice.
     */
    static final long DEDUP_MAX_IDS = 20_000;

    private static final String GENERAL_PREFIX = "#sync:";

    private static final Logger LOG = LoggerFactory.getLogger(NodeSyncManager.class);

    private final NodeSettings settings;
    private final JsonCodec codec = new JsonCodec();
    private final TopicRouter router;
    private final ExecutorService deliveryPool;
    private final Set<SyncSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Map<SyncCounters.Key, SyncCounters> counters = new ConcurrentHashMap<>();
    private final AtomicReference<SyncOutbox> outbox = new AtomicReference<>();

    @Activate
    public NodeSyncManager(@Reference(name = "settings") NodeSettings settings) {
        this.settings = settings;
        this.router = new TopicRouter("sync manager", settings, true);
        this.deliveryPool = DeliveryThreads.pool("cohort-sync-" + settings.nodeId());
        LOG.info("Sync manager started on node {} for application {} (adapter '{}')", settings.nodeId(),
                settings.appName(), settings.pubSubAdapter());
    }

    /** Adds a registered pub/sub adapter; public so that tests of other bundles can wire a node by hand. */
    @Reference(name = "adapter", service = PubSubAdapter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeAdapter")
    public void addAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterAdded(adapter, properties);
    }

    /** Removes a pub/sub adapter that is being unregistered. */
    public void removeAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterRemoved(adapter, properties);
    }

    /** Sets the outbox of durable messages; a better-ranked outbox replaces the current one before it unbinds. */
    @Reference(name = "outbox", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindOutbox")
    public void bindOutbox(SyncOutbox newOutbox) {
        outbox.set(newOutbox);
        LOG.info("Node {} writes durable sync messages to outbox {}", settings.nodeId(), newOutbox);
    }

    /** Clears the outbox if it is still {@code oldOutbox}; durable messages then fail until another registers. */
    public void unbindOutbox(SyncOutbox oldOutbox) {
        if (outbox.compareAndSet(oldOutbox, null)) {
            LOG.info("Node {} has no sync outbox now; durable sync messages fail until one registers",
                    settings.nodeId());
        }
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
            throw new IllegalArgumentException("options is null for " + description + "; expected SyncOptions"
                    + ".immediate(), SyncOptions.afterCommit(transaction) or SyncOptions.durable(transaction)");
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
        if (options.durable()) {
            store(transaction, topic, key, wire, description);
            return;
        }
        transaction.afterCommit(() -> sendAfterCommit(topic, key, wire, description));
        LOG.debug("Node {}: {} waits for its transaction to commit", settings.nodeId(), description);
    }

    /** Writes a durable message to the outbox in {@code transaction}; the outbox's relay sends it after commit. */
    private void store(Transaction transaction, String topic, SyncCounters.Key key, byte[] wire,
            String description) {
        SyncOutbox target = outbox.get();
        if (target == null) {
            throw new IllegalStateException("no sync outbox is registered on node " + settings.nodeId() + ", so "
                    + "durable " + description + " was not written; start bundle io.cohort.jdbc with a working "
                    + "database, or use SyncOptions.afterCommit(transaction)");
        }
        Envelope envelope = new Envelope(Ids.randomId(), settings.nodeId(), System.currentTimeMillis(),
                /* skipSource= */ true, wire);
        target.append(transaction, settings.appName(), topic, envelope);
        counters(key).stored.increment();
        LOG.debug("Node {} wrote durable sync message {} on {} to the outbox", settings.nodeId(), envelope.id(),
                key);
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
        Envelope envelope = new Envelope(Ids.randomId(), settings.nodeId(), System.currentTimeMillis(),
                /* skipSource= */ true, wire);
        router.publish(topic, envelope);
        counters(key).sent.increment();
        LOG.debug("Node {} sent sync message {} on {}", settings.nodeId(), envelope.id(), key);
    }

    private Subscription open(SyncSubscription subscription) {
        subscriptions.add(subscription);
        try {
            router.addReceiver(subscription.topic(), subscription, subscription.owner());
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
