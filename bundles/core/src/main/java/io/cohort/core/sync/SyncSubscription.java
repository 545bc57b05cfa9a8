package io.cohort.core.sync;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.spi.Envelope;
import io.cohort.api.sync.SyncHandler;
import io.cohort.core.pubsub.LogLimiter;
import io.cohort.core.pubsub.SerialQueue;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One receiver of sync messages on this node: a subscription to one channel of the general API, or to every channel
 * of one plugin. It takes envelopes on the adapter's thread and calls the handler on a delivery thread, one message
 * at a time and in arrival order, skipping a message whose id it took before (see
 * {@link NodeSyncManager#DEDUP_WINDOW}).
 */
final class SyncSubscription implements Subscription, Consumer<Envelope> {

    private static final Logger LOG = LoggerFactory.getLogger(SyncSubscription.class);

    private final NodeSyncManager manager;
    private final String owner;
    private final String plugin;
    private final String channel;
    private final String topic;
    private final SyncHandler handler;
    private final Consumer<SyncSubscription> onClose;
    private final SerialQueue<Envelope> queue;
    private final LogLimiter failureLog = new LogLimiter(NodeSyncManager.FAILURE_LOG_INTERVAL);
    private final AtomicBoolean open = new AtomicBoolean(true);

    /**
     * Ids of the messages taken lately. Read and written only by {@link #deliver}, which runs one call at a time;
     * cache maintenance runs on that same thread rather than on a shared pool.
     */
    private final Cache<String, Boolean> takenIds = Caffeine.newBuilder()
            .expireAfterWrite(NodeSyncManager.DEDUP_WINDOW)
            .maximumSize(NodeSyncManager.DEDUP_MAX_IDS)
            .executor(Runnable::run)
            .build();

    /**
     * @param owner who subscribed, for logs: a bundle, or {@code plugin <name>}
     * @param plugin the plugin whose channels this receives, or {@code null} for one channel of the general API
     * @param channel the channel name that {@link #channel()} returns
     */
    SyncSubscription(NodeSyncManager manager, String owner, String plugin, String channel, String topic,
            SyncHandler handler, Consumer<SyncSubscription> onClose) {
        this.manager = manager;
        this.owner = owner;
        this.plugin = plugin;
        this.channel = channel;
        this.topic = topic;
        this.handler = handler;
        this.onClose = onClose;
        this.queue = new SerialQueue<>("sync subscription to " + channel + " of " + owner, manager.deliveryPool(),
                this::deliver, envelope -> { });
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public boolean isActive() {
        return open.get();
    }

    String topic() {
        return topic;
    }

    /** Returns who subscribed: a bundle, or {@code plugin <name>}. */
    String owner() {
        return owner;
    }

    /** Takes an envelope from the router, on the adapter's thread. */
    @Override
    public void accept(Envelope envelope) {
        queue.offer(envelope);
    }

    /**
     * Stops delivery: no handler call starts after this returns, and a handler call running on another thread is
     * waited for (up to {@link NodeSyncManager#CLOSE_WAIT}). Queued messages are dropped.
     */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        manager.router().removeReceiver(topic, this);
        queue.close(NodeSyncManager.CLOSE_WAIT);
        manager.closed(this);
        onClose.accept(this);
        LOG.debug("Closed sync subscription of {} to {}", owner, channel);
    }

    private void deliver(Envelope envelope) {
        SyncWire.Decoded decoded;
        try {
            decoded = SyncWire.decode(manager.codec().mapper(), envelope.payload());
        } catch (IOException e) {
            manager.counters(new SyncCounters.Key(plugin, channel)).failed.increment();
            long suppressed = failureLog.tryAcquire();
            if (suppressed >= 0) {
                LOG.warn("Dropped sync message {} from node {} on topic {} for {}: it is not sync JSON{}: {}",
                        envelope.id(), envelope.sourceNode(), topic, owner, LogLimiter.suppressedNote(suppressed),
                        e.getMessage());
            }
            return;
        }

        SyncCounters counters = manager.counters(new SyncCounters.Key(plugin, decoded.channel()));
        counters.received.increment();
        if (takenIds.asMap().putIfAbsent(envelope.id(), Boolean.TRUE) != null) {
            counters.duplicates.increment();
            LOG.debug("Dropped sync message {} from node {} on channel {} for {}: its id was taken before",
                    envelope.id(), envelope.sourceNode(), decoded.channel(), owner);
            return;
        }
        String description = (plugin == null ? "sync message " : "sync message of plugin " + plugin + " ")
                + envelope.id() + " on channel " + decoded.channel();
        ReceivedSyncMessage message = new ReceivedSyncMessage(envelope.id(), decoded.channel(),
                envelope.sourceNode(), Instant.ofEpochMilli(envelope.publishedAtMillis()), decoded.payload(),
                manager.codec(), description);
        try {
            handler.handle(message);
            counters.handled.increment();
        } catch (Exception | LinkageError | AssertionError e) {
            counters.failed.increment();
            long suppressed = failureLog.tryAcquire();
            if (suppressed >= 0) {
                LOG.error("Sync handler of {} failed on channel {} (message {} from node {}){}", owner,
                        decoded.channel(), envelope.id(), envelope.sourceNode(),
                        LogLimiter.suppressedNote(suppressed), e);
            }
        }
    }
}
