package io.cohort.api.pubsub;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An open subscription. Closing it stops delivery: no handler call starts after {@link #close()} returns (a call
 * already running finishes), and a debounced message still waiting is dropped. Closing twice does nothing.
 */
@ProviderType
public interface Subscription extends AutoCloseable {

    /** Returns the channel, without the application prefix. */
    String channel();

    /** Returns whether the subscription still receives messages. */
    boolean isActive();

    @Override
    void close();
}
