package io.cohort.core.queue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskOptions;
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
 * The {@link EventQueue} of one using bundle. It delegates to the node-wide {@link EventQueueManager} and records the
 * consumers the bundle subscribed, so that they stop when the bundle releases the service or stops.
 */
@Component(service = EventQueue.class, scope = ServiceScope.BUNDLE)
public final class BundleEventQueue implements EventQueue, HeldResources {

    private static final Logger LOG = LoggerFactory.getLogger(BundleEventQueue.class);

    private final EventQueueManager manager;
    private final String owner;
    private final Set<QueueConsumer<?>> consumers = ConcurrentHashMap.newKeySet();
    private final Object lifecycle = new Object();
    private boolean closed;

    @Activate
    public BundleEventQueue(@Reference(name = "manager") EventQueueManager manager, ComponentContext context) {
        this(manager, describe(context.getUsingBundle()));
    }

    /** Creates the view of {@code owner}, a bundle name for messages. */
    public BundleEventQueue(EventQueueManager manager, String owner) {
        this.manager = manager;
        this.owner = owner;
    }

    /**
     * Stops the consumers of this bundle as {@link QueueConsumer#close()} describes: running tasks get the node's
     * queue shutdown timeout to finish, and the rest are cancelled and go back to the queue.
     */
    @Deactivate
    public void deactivate() {
        List<QueueConsumer<?>> mine;
        synchronized (lifecycle) {
            closed = true;
            mine = List.copyOf(consumers);
        }
        manager.stop(mine);
        LOG.debug("Event queue of {} released; stopped {} consumers", owner, mine.size());
    }

    /** Stops the consumers of this bundle like {@link #deactivate()}, but keeps the view open for new ones. */
    @Override
    public int releaseHeld() {
        List<QueueConsumer<?>> mine;
        synchronized (lifecycle) {
            mine = List.copyOf(consumers);
        }
        manager.stop(mine);
        if (!mine.isEmpty()) {
            LOG.info("Stopped {} queue consumers that {} left running", mine.size(), owner);
        }
        return mine.size();
    }

    @Override
    public <T> Subscription subscribe(String channel, Class<T> type, TaskConsumer<T> consumer) {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the event queue of " + owner + " is released; subscribe to channel "
                        + channel + " through a current EventQueue service");
            }
            QueueConsumer<T> subscribed = manager.subscribe(channel, type, consumer, owner, consumers::remove);
            consumers.add(subscribed);
            return subscribed;
        }
    }

    @Override
    public String publish(String channel, Object payload) {
        return manager.publish(channel, payload, TaskOptions.defaults());
    }

    @Override
    public String publish(String channel, Object payload, TaskOptions options) {
        return manager.publish(channel, payload, options);
    }

    @Override
    public List<DeadLetter> deadLetters(String channel) {
        return manager.deadLetters(channel);
    }

    @Override
    public boolean retryDeadLetter(String channel, String taskId) {
        return manager.retryDeadLetter(channel, taskId);
    }

    /** Returns how many consumers of this bundle are running, for tests. */
    int consumerCount() {
        return consumers.size();
    }

    private static String describe(Bundle bundle) {
        return bundle == null ? "an unknown bundle" : "bundle " + bundle.getSymbolicName() + " [" + bundle.getBundleId()
                + "]";
    }
}
