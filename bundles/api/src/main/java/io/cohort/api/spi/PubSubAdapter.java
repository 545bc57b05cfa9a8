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

    /** A listener registration. Closing twice does nothing. */
    interface Registration extends AutoCloseable {

        @Override
        void close();
    }
}
