package io.cohort.api.sync;

import io.cohort.api.pubsub.Subscription;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Broadcasts state changes to the other nodes of the application.
 *
 * <p>A sync message is never delivered back to the node that sent it: it tells the <em>other</em> nodes that state
 * they cache has changed. On a single node, a message therefore reaches no one. With a transaction in the options,
 * the message is sent only after that transaction commits (in publish order) and is dropped if it rolls back. With
 * {@link SyncOptions#durable}, it is also written to an outbox table in that transaction, so it is sent even if the
 * node dies between the commit and the send.
 *
 * <p>Plugins usually send through {@link io.cohort.api.plugin.PluginContext#sendSync} and receive in
 * {@link io.cohort.api.plugin.Plugin#handleSyncMessage}; this service is the general form. Each plugin bundle
 * receives its own instance, and its subscriptions are closed when the bundle stops. Channel names follow the rules
 * of {@link io.cohort.api.pubsub.PubSubManager}.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
@ProviderType
public interface SyncMessageManager {

    /**
     * Sends {@code message} on {@code channel} to the other nodes now.
     *
     * @throws IllegalArgumentException if the channel is invalid, or the message is null or cannot be written as JSON
     */
    void publish(String channel, Object message);

    /**
     * Sends {@code message} on {@code channel} to the other nodes, after the transaction in {@code options} commits
     * when there is one. With {@link SyncOptions#durable}, the message is written to the outbox table in that
     * transaction before this method returns, and a relay sends it after the commit.
     *
     * @throws IllegalArgumentException as {@link #publish(String, Object)}, or if the options are null, or if they
     *     are durable and the transaction does not come from {@link io.cohort.api.tx.TransactionManager}
     * @throws IllegalStateException if the transaction in the options has already ended, or if the options are
     *     durable and no outbox is registered or the outbox row could not be written
     */
    void publish(String channel, Object message, SyncOptions options);

    /**
     * Subscribes {@code handler} to the sync messages that other nodes send on {@code channel}.
     *
     * @throws IllegalArgumentException if the channel is invalid or the handler is null
     */
    Subscription subscribe(String channel, SyncHandler handler);

    /** Closes {@code subscription}. Closing twice does nothing. */
    void unsubscribe(Subscription subscription);
}
