package io.cohort.api.pubsub;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Publishes JSON messages on named channels and delivers them to every subscriber on every node.
 *
 * <p>Each plugin bundle receives its own instance of this service, and the subscriptions made through it are closed
 * when that bundle stops. Channel names are 1 to 200 characters from {@code A-Z a-z 0-9 . _ - : /}, and each is
 * scoped to the node's application ({@code app.name}).
 *
 * <p>Delivery: by default ({@link Delivery#ALL}) a message reaches every subscriber of the channel, including the
 * subscribers on the publishing node, so {@code skipSelf} is off unless {@link PublishOptions#skipSelf()} is given.
 * Each subscription receives messages one at a time, in the order this node received them; messages from one
 * publisher arrive in publish order. Handlers run on Cohort's delivery threads, never on the publishing thread.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
@ProviderType
public interface PubSubManager {

    /**
     * Subscribes {@code handler} to {@code channel}; each message is read as {@code type}.
     *
     * @throws IllegalArgumentException if the channel is invalid or the type or handler is null
     */
    <T> Subscription subscribe(String channel, Class<T> type, MessageHandler<T> handler);

    /**
     * Subscribes with options, for example a debounce window.
     *
     * @throws IllegalArgumentException if the channel is invalid, the type, handler or options are null
     */
    <T> Subscription subscribe(String channel, Class<T> type, MessageHandler<T> handler, SubscribeOptions options);

    /** Closes {@code subscription}; the same as {@link Subscription#close()}. Closing twice does nothing. */
    void unsubscribe(Subscription subscription);

    /**
     * Publishes {@code message} to every subscriber of {@code channel}, this node's included.
     *
     * @throws IllegalArgumentException if the channel is invalid, or the message is null or cannot be written as
     *     JSON
     * @throws IllegalStateException if the node is stopping
     */
    void publish(String channel, Object message);

    /**
     * Publishes {@code message} with the delivery mode of {@code options}.
     *
     * @throws IllegalArgumentException as {@link #publish(String, Object)}, or if the options are null
     */
    void publish(String channel, Object message, PublishOptions options);
}
