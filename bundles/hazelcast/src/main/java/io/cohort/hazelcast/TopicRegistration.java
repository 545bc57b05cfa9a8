package io.cohort.hazelcast;

import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import com.hazelcast.topic.ReliableMessageListener;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener on a reliable topic. It tracks the ringbuffer sequence of each message it receives, so it can count
 * the messages it missed after falling behind, and register again where it stopped if Hazelcast cancels it.
 */
final class TopicRegistration implements PubSubAdapter.Registration {

    private static final Logger LOG = LoggerFactory.getLogger(TopicRegistration.class);

    /** Initial sequence that makes Hazelcast start a listener at the next message published. */
    static final long NEXT_PUBLISHED = -1;

    private final String topicName;
    private final ITopic<Envelope> topic;
    private final Consumer<Envelope> listener;
    private final int capacity;
    private final Executor restarter;
    private final BooleanSupplier memberRunning;
    private final Consumer<TopicRegistration> onClose;
    private final AtomicLong lostMessages = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final Object lock = new Object();
    private UUID listenerId;

    /** Set under {@link #lock}, which also orders it with registering; read without it on every message. */
    private volatile boolean closed;

    /** Publish time below which leading messages are skipped, 0 once one was not; read on the listener thread. */
    private volatile long skipBeforeMillis;

    /** The sequence of the next message this listener expects, or {@link #NEXT_PUBLISHED} before the first. */
    private volatile long nextSequence = NEXT_PUBLISHED;

    TopicRegistration(String topicName, ITopic<Envelope> topic, Consumer<Envelope> listener, int capacity,
            Executor restarter, BooleanSupplier memberRunning, Consumer<TopicRegistration> onClose) {
        this.topicName = topicName;
        this.topic = topic;
        this.listener = listener;
        this.capacity = capacity;
        this.restarter = restarter;
        this.memberRunning = memberRunning;
        this.onClose = onClose;
    }

    /**
     * Registers the listener at {@code firstSequence}, or at the next message published for {@link #NEXT_PUBLISHED}.
     * Messages from {@code firstSequence} on that the ringbuffer no longer keeps count as lost. The leading messages
     * published before {@code notBeforeMillis} by their publisher's clock are skipped until one is not; 0 skips none.
     */
    void start(long firstSequence, long notBeforeMillis) {
        nextSequence = firstSequence;
        skipBeforeMillis = notBeforeMillis;
        register(firstSequence);
    }

    @Override
    public void close() {
        UUID id;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            id = listenerId;
        }
        try {
            topic.removeMessageListener(id);
        } catch (HazelcastInstanceNotActiveException e) {
            LOG.debug("Listener of topic {} closed while its member is stopping", topicName);
        }
        onClose.accept(this);
    }

    /** Returns how many messages this listener missed because it fell more than the topic capacity behind. */
    long lostMessages() {
        return lostMessages.get();
    }

    /** Returns how many times Hazelcast cancelled this listener and it registered again. */
    long restarts() {
        return restarts.get();
    }

    private void register(long initialSequence) {
        synchronized (lock) {
            if (!closed) {
                listenerId = topic.addMessageListener(new Reader(initialSequence));
            }
        }
    }

    /** Hands Hazelcast's cancellation of a listener to another thread, which registers it again. */
    private void restart() {
        if (!memberRunning.getAsBoolean()) {
            LOG.debug("Listener of topic {} stopped with its member", topicName);
            return;
        }
        long from = nextSequence;
        LOG.warn("Hazelcast cancelled the listener of topic {}; registering it again from sequence {}", topicName,
                from);
        restarts.incrementAndGet();
        try {
            restarter.execute(() -> {
                try {
                    register(from);
                } catch (RuntimeException e) {
                    LOG.error("Listener of topic {} could not register again and receives nothing more", topicName,
                            e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Listener of topic {} not registered again: the adapter is stopping", topicName);
        }
    }

    /** The Hazelcast side of the registration; one instance per registration with Hazelcast. */
    private final class Reader implements ReliableMessageListener<Envelope> {

        private final long initialSequence;

        Reader(long initialSequence) {
            this.initialSequence = initialSequence;
        }

        @Override
        public long retrieveInitialSequence() {
            return initialSequence;
        }

        @Override
        public void storeSequence(long sequence) {
            long expected = nextSequence;
            if (expected != NEXT_PUBLISHED && sequence > expected) {
                long lost = sequence - expected;
                long total = lostMessages.addAndGet(lost);
                LOG.warn("Listener of topic {} fell more than {} messages (topic.capacity) behind and lost {} "
                        + "messages, {} since it started", topicName, capacity, lost, total);
            }
            nextSequence = sequence + 1;
        }

        @Override
        public boolean isLossTolerant() {
            return true;
        }

        @Override
        public boolean isTerminal(Throwable failure) {
            LOG.error("Listener of topic {} failed; it keeps listening", topicName, failure);
            return false;
        }

        @Override
        public void onMessage(Message<Envelope> message) {
            if (closed) {
                return;
            }
            Envelope envelope = message.getMessageObject();
            if (skipBeforeMillis > 0) {
                if (envelope.publishedAtMillis() < skipBeforeMillis) {
                    LOG.debug("Listener of topic {} skipped message {}, published before its node joined", topicName,
                            envelope.id());
                    return;
                }
                skipBeforeMillis = 0;
            }
            try {
                listener.accept(envelope);
            } catch (RuntimeException e) {
                LOG.error("Listener of topic {} failed on message {}; it keeps listening", topicName, envelope.id(), e);
            }
        }

        @Override
        public void onCancel() {
            if (!closed) {
                restart();
            }
        }
    }
}
