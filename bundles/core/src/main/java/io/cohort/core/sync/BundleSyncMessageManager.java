package io.cohort.core.sync;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.sync.SyncHandler;
import io.cohort.api.sync.SyncMessageManager;
import io.cohort.api.sync.SyncOptions;
import io.cohort.core.node.HeldResources;
import io.cohort.core.pubsub.BundlePubSubManager;
import io.cohort.core.pubsub.OwnedSubscriptions;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SyncMessageManager} of one bundle: it forwards to the node's {@link NodeSyncManager} and records the
 * subscriptions the bundle makes, so that they close when the bundle releases the service (it stops, or the node
 * stops). Messages waiting for a commit are not the bundle's resources: they are still sent when it commits.
 */
@Component(service = SyncMessageManager.class, scope = ServiceScope.BUNDLE)
public final class BundleSyncMessageManager implements SyncMessageManager, HeldResources {

    private static final Logger LOG = LoggerFactory.getLogger(BundleSyncMessageManager.class);

    private final NodeSyncManager node;
    private final String owner;
    private final OwnedSubscriptions subscriptions;

    @Activate
    public BundleSyncMessageManager(@Reference(name = "node") NodeSyncManager node, ComponentContext context) {
        this(node, BundlePubSubManager.describe(context.getUsingBundle()));
    }

    /** Creates the view of the bundle described by {@code owner}, for example {@code com.example.orders [14]}. */
    BundleSyncMessageManager(NodeSyncManager node, String owner) {
        this.node = node;
        this.owner = owner;
        this.subscriptions = new OwnedSubscriptions("sync", owner);
    }

    @Override
    public void publish(String channel, Object message) {
        publish(channel, message, SyncOptions.immediate());
    }

    @Override
    public void publish(String channel, Object message, SyncOptions options) {
        requireOpen();
        node.publish(channel, message, options);
    }

    @Override
    public Subscription subscribe(String channel, SyncHandler handler) {
        return subscriptions.track(() -> node.subscribe(owner, channel, handler, subscriptions::forget),
                this::requireOpen);
    }

    @Override
    public void unsubscribe(Subscription subscription) {
        if (subscription == null) {
            throw new IllegalArgumentException("subscription is null; expected one returned by subscribe");
        }
        subscription.close();
    }

    /** Closes every sync subscription this bundle still has. */
    @Deactivate
    public void deactivate() {
        subscriptions.close(LOG);
    }

    @Override
    public int releaseHeld() {
        return subscriptions.closeAll(LOG);
    }

    /** Returns how many sync subscriptions of this bundle are open. */
    public int subscriptionCount() {
        return subscriptions.size();
    }

    private void requireOpen() {
        if (subscriptions.isClosed()) {
            throw new IllegalStateException("node is stopping or bundle " + owner + " released its "
                    + "SyncMessageManager; it accepts no more messages or subscriptions");
        }
    }
}
