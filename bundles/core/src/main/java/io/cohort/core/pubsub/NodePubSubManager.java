package io.cohort.core.pubsub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.cohort.api.pubsub.Delivery;
import io.cohort.api.pubsub.MessageHandler;
import io.cohort.api.pubsub.PublishOptions;
import io.cohort.api.pubsub.SubscribeOptions;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.Ids;
import io.cohort.core.node.Names;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.ResourceCounter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pub/sub service of this node, shared by every bundle's {@link BundlePubSubManager}.
 *
 * <p>Channel {@code c} travels on topic {@code <app>:c} of the adapter named by {@link NodeSettings#pubSubAdapter()}.
 * The node keeps one adapter listener per topic and fans each envelope out to its local subscriptions. Each
 * subscription runs its handler on the shared delivery threads {@code cohort-pubsub-<node>-N}, one message at a time
 * and in arrival order, never on the publishing thread. Debounce windows run on the thread
 * {@code cohort-pubsub-timer-<node>-1}.
 *
 * <p>Stopping the component closes every subscription, drops waiting debounced messages and stops the threads.
 * Later calls fail with {@link IllegalStateException} ("node is stopping").
 *
 * <p><b>Warning:</b> each subscription's queue is unbounded, so a handler slower than the publishers of its channel
 * lets its queue grow until the subscription closes. Closing a subscription waits up to {@link #CLOSE_WAIT} for a
 * handler call that is running on another thread.
 */
@Component(service = {NodePubSubManager.class, ResourceCounter.class})
public final class NodePubSubManager implements ResourceCounter {

    /** Maximum time that closing a subscription waits for its running handler call to return. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** Each subscription logs at most one failure per interval and counts the others. */
    static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(NodePubSubManager.class);

    private final NodeSettings settings;
    private final JsonCodec codec = new JsonCodec();
    private final TopicRouter router;
    private final ExecutorService deliveryPool;
    private final ScheduledExecutorService timer;
    private final Set<PubSubSubscription<?>> subscriptions = ConcurrentHashMap.newKeySet();
    private final LongAdder pendingDebounce = new LongAdder();
    private final Map<String, ChannelCounters> counters = new ConcurrentHashMap<>();

    @Activate
    public NodePubSubManager(@Reference(name = "settings") NodeSettings settings) {
        this.settings = settings;
        this.router = new TopicRouter("pub/sub manager", settings, true);
        this.deliveryPool = DeliveryThreads.pool("cohort-pubsub-" + settings.nodeId());
        this.timer = DeliveryThreads.timer("cohort-pubsub-timer-" + settings.nodeId());
        LOG.info("Pub/sub manager started on node {} for application {} (adapter '{}')", settings.nodeId(),
                settings.appName(), settings.pubSubAdapter());
    }

    @Reference(name = "adapter", service = PubSubAdapter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeAdapter")
    public void addAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterAdded(adapter, properties);
    }

    public void removeAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterRemoved(adapter, properties);
    }

    /** Closes every subscription, drops waiting debounced messages and stops the delivery threads. */
    @Deactivate
    public void deactivate() {
        router.close();
        int open = subscriptions.size();
        for (PubSubSubscription<?> subscription : new ArrayList<>(subscriptions)) {
            subscription.close();
        }
        DeliveryThreads.shutdown(timer, "cohort-pubsub-timer-" + settings.nodeId());
        DeliveryThreads.shutdown(deliveryPool, "cohort-pubsub-" + settings.nodeId());
        LOG.info("Pub/sub manager stopped on node {}; closed {} subscriptions", settings.nodeId(), open);
    }

    /**
     * Subscribes {@code handler} to {@code channel} for the bundle {@code owner}.
     *
     * @param owner the subscribing bundle, for logs
     * @param onClose called once when the subscription closes, by whatever closes it
     * @throws IllegalArgumentException if the channel is invalid or another argument is null
     * @throws IllegalStateException if the node is stopping
     */
    public <T> PubSubSubscription<T> subscribe(String owner, String channel, Class<T> type,
            MessageHandler<T> handler, SubscribeOptions options, Consumer<PubSubSubscription<?>> onClose) {
        Names.requireName("channel", channel);
        if (type == null) {
            throw new IllegalArgumentException("type is null; expected the class that messages on channel "
                    + channel + " are read as");
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler is null; expected a MessageHandler for channel " + channel);
        }
        if (options == null) {
            throw new IllegalArgumentException("options is null; expected SubscribeOptions.defaults() or "
                    + "SubscribeOptions.debounce(window) for channel " + channel);
        }

        PubSubSubscription<T> subscription = new PubSubSubscription<>(this, owner, channel, type, handler,
                options.debounce(), closed -> {
                    subscriptions.remove(closed);
                    onClose.accept(closed);
                });
        subscriptions.add(subscription);
        try {
            router.addReceiver(subscription.topic(), subscription, owner);
        } catch (RuntimeException e) {
            subscriptions.remove(subscription);
            throw e;
        }

        LOG.debug("Node {}: {} subscribed to channel {} as {} (debounce {})", settings.nodeId(), owner, channel,
                type.getName(), options.debounceWindow().map(Duration::toString).orElse("none"));
        return subscription;
    }

    /**
     * Publishes {@code message} on {@code channel} with the delivery mode of {@code options}.
     *
     * @throws IllegalArgumentException if the channel is invalid, the options are null, or the message is null or
     *     cannot be written as JSON
     * @throws IllegalStateException if the node is stopping, or the mode needs the adapter and it is not registered
     */
    public void publish(String channel, Object message, PublishOptions options) {
        Names.requireName("channel", channel);
        if (options == null) {
            throw new IllegalArgumentException("options is null; expected PublishOptions.defaults(), skipSelf() or "
                    + "onlySelf() for channel " + channel);
        }
        byte[] payload = codec.encode(() -> "message on channel " + channel, message);

        Delivery delivery = options.delivery();
        Envelope envelope = new Envelope(Ids.randomId(), settings.nodeId(), System.currentTimeMillis(),
                delivery == Delivery.SKIP_SELF, payload);
        if (delivery == Delivery.ONLY_SELF) {
            router.deliverLocally(topic(channel), envelope);
        } else {
            router.publish(topic(channel), envelope);
        }
        counters(channel).published.increment();

        if (LOG.isDebugEnabled()) {
            LOG.debug("Node {} published message {} on channel {} ({})", settings.nodeId(), envelope.id(), channel,
                    delivery);
        }
    }

    /** Returns the totals of each channel used on this node since start, sorted by channel. */
    public Map<String, ChannelCounters.Counts> channelCounts() {
        Map<String, ChannelCounters.Counts> snapshot = new TreeMap<>();
        counters.forEach((channel, channelCounters) -> snapshot.put(channel, channelCounters.snapshot()));
        return snapshot;
    }

    /**
     * Returns the owner of each open subscription on this node, by channel, sorted by channel and then by owner. An
     * owner with several subscriptions to one channel appears once per subscription.
     */
    public Map<String, List<String>> subscriptionOwners() {
        Map<String, List<String>> owners = new TreeMap<>();
        for (PubSubSubscription<?> subscription : subscriptions) {
            owners.computeIfAbsent(subscription.channel(), channel -> new ArrayList<>()).add(subscription.owner());
        }
        owners.values().forEach(Collections::sort);
        return owners;
    }

    @Override
    public Map<String, Long> resourceCounts() {
        return Map.of("pubsub.subscriptions", (long) subscriptions.size(),
                "pubsub.debounce.pending", pendingDebounce.sum());
    }

    String topic(String channel) {
        return settings.scoped(channel);
    }

    ChannelCounters counters(String channel) {
        return counters.computeIfAbsent(channel, c -> new ChannelCounters());
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

    ScheduledExecutorService timer() {
        return timer;
    }

    LongAdder pendingDebounce() {
        return pendingDebounce;
    }
}
