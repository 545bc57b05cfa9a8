package io.cohort.api.spi;

import java.util.function.Consumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries envelopes between nodes. Topic names are full names ({@code <app.name>:<channel>} and reserved forms the
 * managers build). The managers dispatch to subscribers, debounce and filter by source node themselves.
 */
@ConsumerType
public interface PubSubAdapter {

    /** Sends {@code envelope} to every listener of {@code topic} on every node, this one included. */
    void publish(String topic, Envelope envelope);

    /**
     * Registers {@code listener} for {@code topic}. Envelopes from one publisher reach it in publish order. The
     * listener must return quickly; the managers hand work to their own threads.
     *
     * @return the registration; closing it stops the listener
     */
    Registration listen(String topic, Consumer<Envelope> listener);

    /**
     * Returns when this node joined the cluster through this adapter, in epoch milliseconds of this node's clock: the
     * point from which {@link #listenSinceJoin} starts.
     */
    long joinedAtMillis();

    /**
     * Registers {@code listener} for {@code topic} like {@link #listen}, but first hands it, in publish order, the
     * envelopes of {@code topic} published since this node joined that the adapter still keeps, then every later
     * one. Each adapter documents how many envelopes it keeps and for how long. A listener that starts after some
     * were dropped receives the remaining ones.
     *
     * @return the registration; closing it stops the listener
     */
    Registration listenSinceJoin(String topic, Consumer<Envelope> listener);

    /** A listener registration. Closing twice does nothing. */
    interface Registration extends AutoCloseable {

        @Override
        void close();
    }
}
