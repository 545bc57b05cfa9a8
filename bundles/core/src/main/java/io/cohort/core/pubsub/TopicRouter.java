package io.cohort.core.pubsub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.adapter.AdapterRegistry;
import io.cohort.core.node.NodeSettings;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects one manager to the pub/sub adapter named by {@link NodeSettings#pubSubAdapter()}: it keeps one adapter
 * listener per topic on this node and fans each envelope out to the topic's local receivers.
 *
 * <p>Envelopes marked {@link Envelope#skipSource()} that this node published are dropped here, so no receiver on the
 * source node receives them. Receivers run on the adapter's thread and must return quickly.
 *
 * <p>Start window: a router that replays since the join point ({@code replaySinceJoin}) opens the listener of a topic
 * with {@link PubSubAdapter#listenSinceJoin} while the node is within {@link NodeSettings#startWindow()} of the moment
 * its adapter joined. Until the window ends, the topic keeps what it received and hands it to each receiver added
 * later, before any newer envelope. So every receiver added within the window, such as a plugin's subscription in
 * {@code beforeLoad}, receives every envelope published since the node joined that the adapter still held. A receiver
 * added after the window receives the envelopes published from then on. Only the first router of a manager on an
 * adapter replays: a manager restarted by a configuration change starts every topic at the next envelope.
 *
 * <p>A topic whose adapter is not registered yet, or was unregistered, keeps its receivers and gets a listener as
 * soon as an adapter with the configured name registers; messages sent in between are not received unless the
 * window is still open. Thread safe: changes to topics are serialized by one lock, and no router lock is held while
 * receivers run. Within the window, receivers run under their topic's own lock, so that a receiver added then gets
 * the envelopes received so far and the newer ones in order.
 */
public final class TopicRouter {

    private static final Logger LOG = LoggerFactory.getLogger(TopicRouter.class);

    /**
     * The managers that opened a start window on each adapter. A manager restarted by a configuration change gets a
     * new router on the same adapter, and that router replays nothing, so plugins loaded again are not sent the same
     * messages twice. Weak keys let a stopped adapter go.
     */
    private static final Map<PubSubAdapter, Set<String>> WINDOWS_OPENED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** The bundle id that ends an owner such as {@code com.example.orders [14]}. */
    private static final Pattern BUNDLE_ID_SUFFIX = Pattern.compile(" \\[\\d+\\]$");

    /** How many envelopes a topic keeps during the start window; older ones are dropped first, with a WARN. */
    static final int START_HISTORY_LIMIT = 10_000;

    private final String managerName;
    private final NodeSettings settings;
    private final boolean replaySinceJoin;
    private final AdapterRegistry<PubSubAdapter> adapters = new AdapterRegistry<>("pub/sub adapter");
    private final Object lock = new Object();

    /** The topics with at least one receiver. Changed only under {@link #lock}; read without it. */
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Ends the start window; created with the first topic that opens in it. Changed only under {@link #lock}. */
    private ScheduledExecutorService windowTimer;
    private long scheduledWindowEnd;

    /** The adapters on which this router may replay: the first router of its manager on each. Weak keys. */
    private final Map<PubSubAdapter, Boolean> replayAdapters = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * @param managerName the manager this router serves, for messages: {@code pub/sub manager} or
     *     {@code sync manager}
     * @param replaySinceJoin whether topics opened within the start window receive what was published since the node
     *     joined. Pass false for topics whose old messages must not run again, such as operator requests
     */
    public TopicRouter(String managerName, NodeSettings settings, boolean replaySinceJoin) {
        this.managerName = managerName;
        this.settings = settings;
        this.replaySinceJoin = replaySinceJoin;
    }

    /** Adds a registered adapter; if it has the configured name, topics without a listener get one now. */
    public void adapterAdded(PubSubAdapter adapter, Map<String, ?> properties) {
        adapters.add(adapter, properties);
        if (replaySinceJoin) {
            boolean first = WINDOWS_OPENED.computeIfAbsent(adapter, a -> ConcurrentHashMap.newKeySet())
                    .add(managerName);
            replayAdapters.put(adapter, first);
            if (!first) {
                LOG.info("The {} on node {} restarted after its adapter joined; its subscriptions start with the next "
                        + "message, with no replay since the join", managerName, settings.nodeId());
            }
        }
        synchronized (lock) {
            attachDetached();
        }
    }

    /** Removes an adapter that is being unregistered and moves the topics it served to the current adapter. */
    public void adapterRemoved(PubSubAdapter adapter, Map<String, ?> properties) {
        adapters.remove(adapter, properties);
        synchronized (lock) {
            int detached = 0;
            for (Topic topic : topics.values()) {
                if (topic.adapter == adapter) {
                    detach(topic);
                    detached++;
                }
            }
            if (detached > 0) {
                LOG.warn("Pub/sub adapter '{}' of the {} on node {} was unregistered; topics without a listener now: "
                        + "{}. They receive nothing until an adapter with that name registers",
                        settings.pubSubAdapter(), managerName, settings.nodeId(), detached);
            }
            attachDetached();
        }
    }

    /**
     * Returns the adapter named by the node settings.
     *
     * @throws IllegalStateException naming the configured adapter and the registered ones, if it is not registered
     */
    public PubSubAdapter requireAdapter() {
        String name = settings.pubSubAdapter();
        return adapters.find(name).orElseThrow(() -> new IllegalStateException("pub/sub adapter '" + name
                + "' (pubsub.adapter) is not registered on node " + settings.nodeId() + "; registered adapters: "
                + adapters.names() + ". Start the bundle that provides it or change pubsub.adapter"));
    }

    /**
     * Sends {@code envelope} to every node through the adapter.
     *
     * @throws IllegalStateException if the router is closed or the adapter is not registered
     */
    public void publish(String topic, Envelope envelope) {
        requireOpen();
        requireAdapter().publish(topic, envelope);
    }

    /** Hands {@code envelope} to the receivers of {@code topic} on this node only, on the calling thread. */
    public void deliverLocally(String topic, Envelope envelope) {
        requireOpen();
        Topic target = topics.get(topic);
        if (target != null) {
            target.dispatch(envelope);
        }
    }

    /**
     * Adds {@code receiver} to {@code topic} without a replay of earlier envelopes; the first receiver of a topic
     * registers the adapter listener.
     *
     * @throws IllegalStateException if the router is closed
     * @throws RuntimeException what the adapter throws when it cannot listen; the receiver is not added then
     */
    public void addReceiver(String topic, Consumer<Envelope> receiver) {
        addReceiver(topic, receiver, null);
    }

    /**
     * Adds {@code receiver} of {@code owner} to {@code topic}; the first receiver of a topic registers the adapter
     * listener. Within the start window, a receiver first gets the envelopes received since the join point, unless a
     * receiver of the same owner on this topic was removed before. So an owner that subscribes again, such as a plugin
     * loaded again after its bundle restarted, gets no second replay. The bundle id in an owner such as
     * {@code com.example.orders [14]} does not count, since a bundle installed again gets a new id.
     *
     * @param owner who subscribes, or null for a receiver that never gets a replay
     * @throws IllegalStateException if the router is closed
     * @throws RuntimeException what the adapter throws when it cannot listen; the receiver is not added then
     */
    public void addReceiver(String topic, Consumer<Envelope> receiver, String owner) {
        String replayKey = owner == null ? null : BUNDLE_ID_SUFFIX.matcher(owner).replaceFirst("");
        synchronized (lock) {
            requireOpen();
            Topic target = topics.computeIfAbsent(topic, Topic::new);
            target.add(receiver, replayKey);
            if (target.registration != null) {
                return;
            }
            try {
                attach(target);
                target.recordOwner(receiver, replayKey);
            } catch (RuntimeException e) {
                target.receivers.remove(receiver);
                if (target.receivers.isEmpty()) {
                    topics.remove(topic);
                }
                throw e;
            }
        }
    }

    /**
     * Removes {@code receiver}; the last receiver of a topic closes its listener, or, within the start window, at the
     * end of the window, so that what the topic received stays available to later receivers. Removing twice does
     * nothing.
     */
    public void removeReceiver(String topic, Consumer<Envelope> receiver) {
        synchronized (lock) {
            Topic target = topics.get(topic);
            if (target == null || !target.remove(receiver) || !target.receivers.isEmpty() || target.keeping) {
                return;
            }
            detach(target);
            topics.remove(topic);
        }
    }

    /** Returns whether {@link #close} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes every adapter listener; later publishes and new receivers fail with "node is stopping". */
    public void close() {
        synchronized (lock) {
            closed = true;
            for (Topic topic : topics.values()) {
                detach(topic);
            }
            topics.clear();
            if (windowTimer != null) {
                windowTimer.shutdownNow();
            }
        }
    }

    /** Returns the topics that have receivers now, with the receiver count of each. */
    public Map<String, Integer> receiverCounts() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        topics.forEach((name, topic) -> {
            if (!topic.receivers.isEmpty()) {
                counts.put(name, topic.receivers.size());
            }
        });
        return counts;
    }

    /** Ends the start window of every topic, and closes the listeners of topics left without receivers. */
    private void endStartWindow() {
        synchronized (lock) {
            long now = System.currentTimeMillis();
            int closedTopics = 0;
            for (Topic topic : List.copyOf(topics.values())) {
                if (!topic.stopKeepingIfEnded(now)) {
                    continue;
                }
                if (topic.receivers.isEmpty()) {
                    detach(topic);
                    topics.remove(topic.name);
                    closedTopics++;
                }
            }
            LOG.debug("Start window of the {} on node {} ended; closed {} topics without receivers", managerName,
                    settings.nodeId(), closedTopics);
            if (now >= scheduledWindowEnd && windowTimer != null) {
                windowTimer.shutdown();
                windowTimer = null;
            }
        }
    }

    /** Runs {@link #endStartWindow} at {@code endMillis}, on a timer thread started for it. Needs {@link #lock}. */
    private void scheduleWindowEnd(long endMillis) {
        if (endMillis <= scheduledWindowEnd) {
            return;
        }
        scheduledWindowEnd = endMillis;
        if (windowTimer == null) {
            windowTimer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "cohort-pubsub-window-" + settings.nodeId());
                thread.setDaemon(true);
                return thread;
            });
        }
        windowTimer.schedule(this::endStartWindow, endMillis - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("node is stopping: the " + managerName + " of node " + settings.nodeId()
                    + " accepts no more messages or subscriptions");
        }
    }

    /** Registers a listener for every topic that has none, if the configured adapter is registered. */
    private void attachDetached() {
        if (closed || adapters.find(settings.pubSubAdapter()).isEmpty()) {
            return;
        }
        List<Topic> detached = new ArrayList<>();
        for (Topic topic : topics.values()) {
            if (topic.registration == null) {
                detached.add(topic);
            }
        }
        for (Topic topic : detached) {
            try {
                attach(topic);
            } catch (RuntimeException e) {
                LOG.error("Pub/sub adapter '{}' could not listen on topic {} for the {} on node {}; the topic "
                        + "receives nothing", settings.pubSubAdapter(), topic.name, managerName, settings.nodeId(), e);
            }
        }
    }

    private void attach(Topic topic) {
        PubSubAdapter adapter = adapters.find(settings.pubSubAdapter()).orElse(null);
        if (adapter == null) {
            LOG.warn("Pub/sub adapter '{}' is not registered on node {} (registered: {}); topic {} of the {} "
                    + "receives messages once it registers", settings.pubSubAdapter(), settings.nodeId(),
                    adapters.names(), topic.name, managerName);
            return;
        }
        boolean mayReplay = replaySinceJoin && Boolean.TRUE.equals(replayAdapters.get(adapter));
        long windowEnd = mayReplay ? adapter.joinedAtMillis() + settings.startWindow().toMillis() : 0;
        long now = System.currentTimeMillis();
        if (now < windowEnd && !topic.attachedBefore) {
            topic.keepUntil(windowEnd);
            scheduleWindowEnd(windowEnd);
            topic.registration = adapter.listenSinceJoin(topic.name, topic::dispatch);
            LOG.debug("Node {} listens on topic {} of the {} through adapter '{}' since its join point, {} ms ago",
                    settings.nodeId(), topic.name, managerName, settings.pubSubAdapter(),
                    now - adapter.joinedAtMillis());
        } else {
            topic.registration = adapter.listen(topic.name, topic::dispatch);
            LOG.debug("Node {} listens on topic {} of the {} through adapter '{}'", settings.nodeId(), topic.name,
                    managerName, settings.pubSubAdapter());
        }
        topic.adapter = adapter;
        topic.attachedBefore = true;
    }

    private void detach(Topic topic) {
        PubSubAdapter.Registration registration = topic.registration;
        topic.registration = null;
        topic.adapter = null;
        topic.stopKeeping();
        if (registration == null) {
            return;
        }
        try {
            registration.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing the listener of topic {} on node {} failed; ignoring it", topic.name,
                    settings.nodeId(), e);
        }
    }

    /** One topic on this node: its receivers, its adapter listener and, within the start window, what it received. */
    private final class Topic {

        final String name;
        final List<Consumer<Envelope>> receivers = new CopyOnWriteArrayList<>();

        /** The adapter listener and its adapter, both null while detached. Changed only under {@link #lock}. */
        PubSubAdapter.Registration registration;
        PubSubAdapter adapter;

        /** Whether the topic had a listener before; a listener opened again starts at the next envelope. */
        boolean attachedBefore;

        /** Whether {@link #history} is in use; read without the topic's lock on every envelope. */
        private volatile boolean keeping;

        /** The envelopes received since the listener opened, while {@link #keeping}; guarded by this topic. */
        private final Deque<Envelope> history = new ArrayDeque<>();
        private long keepUntilMillis;
        private long dropped;

        /** The owner of each receiver added in the window, and the owners whose receivers were removed in it. */
        private final Map<Consumer<Envelope>, String> owners = new IdentityHashMap<>();
        private final Set<String> removedOwners = new HashSet<>();

        Topic(String name) {
            this.name = name;
        }

        /** Keeps the envelopes received until {@code endMillis}, for receivers added before then. */
        synchronized void keepUntil(long endMillis) {
            history.clear();
            dropped = 0;
            keepUntilMillis = endMillis;
            keeping = true;
        }

        synchronized void stopKeeping() {
            keeping = false;
            history.clear();
            owners.clear();
            removedOwners.clear();
        }

        /** Ends the window of this topic if it ended by {@code now}, and returns whether the topic is past it. */
        synchronized boolean stopKeepingIfEnded(long now) {
            if (keeping && now < keepUntilMillis) {
                return false;
            }
            stopKeeping();
            return true;
        }

        /** Records the owner of the receiver whose listener opened the window and so got the adapter's replay. */
        synchronized void recordOwner(Consumer<Envelope> receiver, String owner) {
            if (keeping && owner != null) {
                owners.put(receiver, owner);
            }
        }

        /** Removes {@code receiver} and returns whether it was there. Within the window, remembers its owner. */
        boolean remove(Consumer<Envelope> receiver) {
            if (!keeping) {
                return receivers.remove(receiver);
            }
            synchronized (this) {
                String owner = owners.remove(receiver);
                if (keeping && owner != null) {
                    removedOwners.add(owner);
                }
                return receivers.remove(receiver);
            }
        }

        /**
         * Adds {@code receiver} and, within the start window, hands it the envelopes received so far, unless its
         * owner is null or had a receiver removed from this topic in the window.
         */
        void add(Consumer<Envelope> receiver, String owner) {
            if (!keeping) {
                receivers.add(receiver);
                return;
            }
            synchronized (this) {
                receivers.add(receiver);
                if (!keeping) {
                    return;
                }
                if (System.currentTimeMillis() < keepUntilMillis) {
                    if (owner == null) {
                        return;
                    }
                    owners.put(receiver, owner);
                    if (removedOwners.contains(owner)) {
                        LOG.debug("Receiver of {} added to topic {} on node {} gets no replay: that owner subscribed "
                                + "and left before in the start window", owner, name, settings.nodeId());
                        return;
                    }
                    if (dropped > 0) {
                        LOG.warn("Receiver added to topic {} on node {} misses the {} oldest messages since the join "
                                + "point, because the {} keeps at most {} per topic during the start window", name,
                                settings.nodeId(), dropped, managerName, START_HISTORY_LIMIT);
                    }
                    for (Envelope envelope : history) {
                        deliver(receiver, envelope);
                    }
                } else {
                    stopKeeping();
                }
            }
        }

        void dispatch(Envelope envelope) {
            if (envelope.skipSource() && settings.nodeId().equals(envelope.sourceNode())) {
                return;
            }
            if (keeping) {
                synchronized (this) {
                    if (keep(envelope)) {
                        fanOut(envelope);
                        return;
                    }
                }
            }
            fanOut(envelope);
        }

        /** Records {@code envelope} if the window is still open, and ends the window otherwise. Needs the lock. */
        private boolean keep(Envelope envelope) {
            if (!keeping) {
                return false;
            }
            if (System.currentTimeMillis() >= keepUntilMillis) {
                LOG.debug("Start window of topic {} on node {} ended; {} messages kept in it", name,
                        settings.nodeId(), history.size());
                stopKeeping();
                return false;
            }
            history.addLast(envelope);
            if (history.size() > START_HISTORY_LIMIT) {
                history.removeFirst();
                dropped++;
            }
            return true;
        }

        private void fanOut(Envelope envelope) {
            for (Consumer<Envelope> receiver : receivers) {
                deliver(receiver, envelope);
            }
        }

        private void deliver(Consumer<Envelope> receiver, Envelope envelope) {
            try {
                receiver.accept(envelope);
            } catch (RuntimeException e) {
                LOG.error("Receiver on topic {} of node {} failed on message {}; the others still get it",
                        name, settings.nodeId(), envelope.id(), e);
            }
        }
    }
}
