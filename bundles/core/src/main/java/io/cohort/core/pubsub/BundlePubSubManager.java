package io.cohort.core.pubsub;

import io.cohort.api.pubsub.MessageHandler;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.pubsub.PublishOptions;
import io.cohort.api.pubsub.SubscribeOptions;
import io.cohort.api.pubsub.Subscription;
import io.cohort.core.node.HeldResources;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PubSubManager} of one bundle: it forwards to the node's {@link NodePubSubManager} and records the
 * subscriptions the bundle makes, so that they close when the bundle releases the service (it stops, or the node
 * stops).
 */
@Component(service = PubSubManager.class, scope = ServiceScope.BUNDLE)
public final class BundlePubSubManager implements PubSubManager, HeldResources {

    private static final Logger LOG = LoggerFactory.getLogger(BundlePubSubManager.class);

    private final NodePubSubManager node;
    private final String owner;
    private final OwnedSubscriptions subscriptions;

    @Activate
    public BundlePubSubManager(@Reference(name = "node") NodePubSubManager node, ComponentContext context) {
        this(node, describe(context.getUsingBundle()));
    }

    /** Creates the view of the bundle described by {@code owner}, for example {@code com.example.orders [14]}. */
    public BundlePubSubManager(NodePubSubManager node, String owner) {
        this.node = node;
        this.owner = owner;
        this.subscriptions = new OwnedSubscriptions("pub/sub", owner);
    }

    @Override
    public <T> Subscription subscribe(String channel, Class<T> type, MessageHandler<T> handler) {
        return subscribe(channel, type, handler, SubscribeOptions.defaults());
    }

    @Override
    public <T> Subscription subscribe(String channel, Class<T> type, MessageHandler<T> handler,
            SubscribeOptions options) {
        return subscriptions.track(
                () -> node.subscribe(owner, channel, type, handler, options, subscriptions::forget), this::requireOpen);
    }

    @Override
    public void unsubscribe(Subscription subscription) {
        if (subscription == null) {
            throw new IllegalArgumentException("subscription is null; expected one returned by subscribe");
        }
        subscription.close();
    }

    @Override
    public void publish(String channel, Object message) {
        publish(channel, message, PublishOptions.defaults());
    }

    @Override
    public void publish(String channel, Object message, PublishOptions options) {
        requireOpen();
        node.publish(channel, message, options);
    }

    /** Closes every subscription this bundle still has, with their waiting debounced messages. */
    @Deactivate
    public void deactivate() {
        subscriptions.close(LOG);
    }

    @Override
    public int releaseHeld() {
        return subscriptions.closeAll(LOG);
    }

    /** Returns how many subscriptions of this bundle are open. */
    public int subscriptionCount() {
        return subscriptions.size();
    }

    private void requireOpen() {
        if (subscriptions.isClosed()) {
            throw new IllegalStateException("node is stopping or bundle " + owner + " released its PubSubManager; "
                    + "it accepts no more messages or subscriptions");
        }
    }

    /** Returns {@code <symbolic name> [<id>]} of {@code bundle}, for logs. */
    public static String describe(Bundle bundle) {
        return bundle == null ? "an unknown bundle" : bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]";
    }
}
