package io.cohort.core.pubsub;

import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.cohort.api.pubsub.Subscription;

import org.slf4j.Logger;

/**
 * The subscriptions that one bundle made through a per-bundle view (pub/sub or sync), so that the view can close them
 * when the bundle releases it or when the plugin runtime asks it to release what the bundle holds.
 */
public final class OwnedSubscriptions {

    private final String kind;
    private final String owner;
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param kind what the subscriptions are for log lines, for example {@code pub/sub}
     * @param owner the bundle, as {@link BundlePubSubManager#describe} writes it
     */
    public OwnedSubscriptions(String kind, String owner) {
        this.kind = kind;
        this.owner = owner;
    }

    /**
     * Subscribes through {@code subscribe} and records the result, unless it is already closed. When the view
     * closed meanwhile, the new subscription is closed again and {@code rejectClosed} reports it to the caller.
     */
    public Subscription track(Supplier<Subscription> subscribe, Runnable rejectClosed) {
        rejectClosed.run();
        Subscription subscription = subscribe.get();
        subscriptions.add(subscription);
        if (!subscription.isActive()) {
            subscriptions.remove(subscription);
        }
        if (closed) {
            subscription.close();
            rejectClosed.run();
        }
        return subscription;
    }

    /** Forgets a subscription that closed; the node manager calls it through the close callback. */
    public void forget(Subscription subscription) {
        subscriptions.remove(subscription);
    }

    /** Marks the view closed, so that {@link #track} rejects new subscriptions, and closes every recorded one. */
    public void close(Logger log) {
        closed = true;
        closeAll(log);
    }

    /** Returns whether {@link #close} ran. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes every recorded subscription and returns how many there were. */
    public int closeAll(Logger log) {
        int open = 0;
        for (Subscription subscription : new ArrayList<>(subscriptions)) {
            subscription.close();
            open++;
        }
        if (open > 0) {
            log.info("Closed {} {} subscriptions that {} left open", open, kind, owner);
        }
        return open;
    }

    /** Returns how many recorded subscriptions are open. */
    public int size() {
        return subscriptions.size();
    }
}
