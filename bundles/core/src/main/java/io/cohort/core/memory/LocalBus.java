package io.cohort.core.memory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics and their listeners inside one JVM: the transport of {@link MemoryPubSubAdapter}.
 *
 * <p>{@link #publish} calls every listener of the topic on the publishing thread, in the order the listeners
 * registered, so a listener receives the envelopes of one publishing thread in publish order. No lock is held while a
 * listener runs: the listener list is copied on write, so listeners may publish, listen or close registrations
 * themselves. A listener that registers while a publish is running may miss that envelope.
 *
 * <p>Several adapters built on one bus act as the nodes of one cluster, which is how tests run several managers
 * with different node ids in one JVM. Listeners share the envelope's payload array and must not modify it.
 */
public final class LocalBus {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBus.class);

    private final Map<String, List<Consumer<Envelope>>> listeners = new ConcurrentHashMap<>();

    /** Calls every listener of {@code topic} with {@code envelope}; a listener that throws is logged and skipped. */
    public void publish(String topic, Envelope envelope) {
        List<Consumer<Envelope>> current = listeners.get(topic);
        if (current == null) {
            return;
        }
        for (Consumer<Envelope> listener : current) {
            try {
                listener.accept(envelope);
            } catch (RuntimeException e) {
                LOG.warn("Listener of topic {} failed on message {} from node {}; the other listeners still get it",
                        topic, envelope.id(), envelope.sourceNode(), e);
            }
        }
    }

    /**
     * Registers {@code listener} for {@code topic}. Closing the registration removes it, and closing twice does
     * nothing.
     */
    public PubSubAdapter.Registration listen(String topic, Consumer<Envelope> listener) {
        Consumer<Envelope> entry = listener::accept;
        listeners.compute(topic, (t, current) -> {
            List<Consumer<Envelope>> updated = current == null ? new CopyOnWriteArrayList<>() : current;
            updated.add(entry);
            return updated;
        });
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                remove(topic, entry);
            }
        };
    }

    /** Returns how many listeners {@code topic} has now. */
    public int listenerCount(String topic) {
        List<Consumer<Envelope>> current = listeners.get(topic);
        return current == null ? 0 : current.size();
    }

    /** Removes the one entry that {@link #listen} made; the entry is a fresh object, so equal listeners stay. */
    private void remove(String topic, Consumer<Envelope> entry) {
        listeners.computeIfPresent(topic, (t, current) -> {
            current.remove(entry);
            return current.isEmpty() ? null : current;
        });
    }
}
