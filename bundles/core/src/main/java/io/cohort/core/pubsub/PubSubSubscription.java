package io.cohort.core.pubsub;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.cohort.api.pubsub.Message;
import io.cohort.api.pubsub.MessageHandler;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.spi.Envelope;
import io.cohort.core.json.JsonCodec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber of a channel on this node. The {@link TopicRouter} hands it envelopes on the adapter's thread; it
 * debounces them if asked, then queues them on its {@link SerialQueue}, whose worker reads each payload as the
 * subscription's type and calls the handler on a delivery thread.
 *
 * <p>Debounce: the first envelope with given JSON bytes waits for the window; an envelope with the same bytes that
 * arrives while it waits is dropped and counted. When the window ends the waiting envelope joins the queue, and the
 * next envelope with those bytes starts a new window. Envelopes with different bytes wait side by side.
 */
final class PubSubSubscription<T> implements Subscription, Consumer<Envelope> {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubSubscription.class);

    private final String channel;
    private final String topic;
    private final Class<T> type;
    private final MessageHandler<T> handler;
    private final String owner;
    private final Duration debounce;
    private final NodePubSubManager manager;
    private final ChannelCounters counters;
    private final JsonCodec codec;
    private final ScheduledExecutorService timer;
    private final Consumer<PubSubSubscription<?>> onClose;
    private final SerialQueue<Envelope> queue;
    private final LogLimiter failureLog = new LogLimiter(NodePubSubManager.FAILURE_LOG_INTERVAL);
    private final AtomicBoolean open = new AtomicBoolean(true);

    /** Debounce timers by the JSON bytes of their waiting envelope. Guarded by itself, like {@link #closed}. */
    private final Map<ByteBuffer, ScheduledFuture<?>> pending = new HashMap<>();
    private boolean closed;

    PubSubSubscription(NodePubSubManager manager, String owner, String channel, Class<T> type,
            MessageHandler<T> handler, Duration debounce, Consumer<PubSubSubscription<?>> onClose) {
        this.manager = manager;
        this.owner = owner;
        this.channel = channel;
        this.topic = manager.topic(channel);
        this.type = type;
        this.handler = handler;
        this.debounce = debounce;
        this.onClose = onClose;
        this.counters = manager.counters(channel);
        this.codec = manager.codec();
        this.timer = manager.timer();
        this.queue = new SerialQueue<>("subscription to channel " + channel + " of " + owner,
                manager.deliveryPool(), this::deliver, envelope -> counters.dropped.increment());
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public boolean isActive() {
        return open.get();
    }

    /** Returns the subscriber, for logs: the bundle that subscribed. */
    String owner() {
        return owner;
    }

    String topic() {
        return topic;
    }

    /** Takes an envelope from the router, on the adapter's thread. */
    @Override
    public void accept(Envelope envelope) {
        if (debounce == null) {
            queue.offer(envelope);
        } else {
            hold(envelope);
        }
    }

    /**
     * Stops delivery: no handler call starts after this returns, and a handler call running on another thread is
     * waited for (up to {@link NodePubSubManager#CLOSE_WAIT}). Debounced and queued messages are dropped.
     */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        manager.router().removeReceiver(topic, this);
        dropPending();
        queue.close(NodePubSubManager.CLOSE_WAIT);
        onClose.accept(this);
        LOG.debug("Closed subscription of {} to channel {}", owner, channel);
    }

    private void hold(Envelope envelope) {
        ByteBuffer key = ByteBuffer.wrap(envelope.payload());
        synchronized (pending) {
            if (closed) {
                return;
            }
            if (pending.containsKey(key)) {
                counters.dropped.increment();
                LOG.debug("Debounced message {} on channel {} for {}: the same message already waits", envelope.id(),
                        channel, owner);
                return;
            }
            try {
                pending.put(key, timer.schedule(() -> release(key, envelope), debounce.toNanos(),
                        TimeUnit.NANOSECONDS));
            } catch (RejectedExecutionException e) {
                counters.dropped.increment();
                LOG.warn("Dropped message {} on channel {} for {}: the debounce timer is stopped", envelope.id(),
                        channel, owner);
                return;
            }
            manager.pendingDebounce().increment();
        }
    }

    /** Ends the debounce window of {@code envelope}, on the timer thread. */
    private void release(ByteBuffer key, Envelope envelope) {
        synchronized (pending) {
            if (pending.remove(key) == null) {
                return;
            }
        }
        manager.pendingDebounce().decrement();
        if (!queue.offer(envelope)) {
            counters.dropped.increment();
        }
    }

    private void dropPending() {
        int dropped;
        synchronized (pending) {
            closed = true;
            pending.values().forEach(timerTask -> timerTask.cancel(false));
            dropped = pending.size();
            pending.clear();
        }
        if (dropped > 0) {
            manager.pendingDebounce().add(-dropped);
            counters.dropped.add(dropped);
            LOG.debug("Dropped {} debounced messages on channel {} of {} at close", dropped, channel, owner);
        }
    }

    /** Reads the payload and calls the handler, on a delivery thread. */
    private void deliver(Envelope envelope) {
        T payload;
        try {
            payload = codec.decode(() -> "message " + envelope.id() + " on channel " + channel, envelope.payload(),
                    type);
        } catch (IllegalStateException e) {
            counters.failed.increment();
            long suppressed = failureLog.tryAcquire();
            if (suppressed >= 0) {
                // The codec's message names the channel, the type and the class loader of the type's bundle.
                LOG.warn("Subscriber {} dropped a message from node {}{}: {}", owner, envelope.sourceNode(),
                        LogLimiter.suppressedNote(suppressed), e.getMessage());
            }
            return;
        }
        Message<T> message = new Message<>(envelope.id(), channel, envelope.sourceNode(),
                Instant.ofEpochMilli(envelope.publishedAtMillis()), payload);
        try {
            handler.onMessage(message);
            counters.delivered.increment();
        } catch (Exception | LinkageError | AssertionError e) {
            counters.failed.increment();
            long suppressed = failureLog.tryAcquire();
            if (suppressed >= 0) {
                LOG.error("Handler of {} on channel {} failed on message {} from node {}{}", owner, channel,
                        envelope.id(), envelope.sourceNode(), LogLimiter.suppressedNote(suppressed), e);
            }
        }
    }
}
