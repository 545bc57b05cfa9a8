package io.cohort.core.admin;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.MissingNode;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.admin.QueueView;
import io.cohort.api.admin.SyncChannelView;
import io.cohort.api.spi.Envelope;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.pubsub.TopicRouter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ClusterAdmin} of this node: it sends each query to the other nodes through the pub/sub adapter,
 * responds to their queries with the rows of the local {@link NodeAdmin}, and tracks the nodes it expects.
 *
 * <p>Topics, reserved because channel names never contain {@code #}: {@code <app>:#admin} carries {@code HELLO},
 * {@code BYE} and {@code QUERY} to every node, and {@code <app>:#admin:<node id>} carries the responses to one node.
 * Envelopes on the shared topic skip their source node, which computes its own rows directly, except {@code HELLO}:
 * it also reaches the nodes that have the sender's node id, so that two nodes started with one id (a node folder
 * copied with its {@code data/node.id}, or the same {@code node.id} set twice) find out and log an ERROR. Such nodes
 * take each other's sync messages and {@code skipSelf} messages for their own and drop them.
 *
 * <p>Threads: messages arrive on the adapter's thread and only update state or hand work on. Rows for other nodes
 * are computed and sent on the {@code responder} executor. A query blocks its caller until every expected node
 * responded or the timeout passed.
 */
final class ClusterAdminService implements ClusterAdmin {

    /** The topic of requests and announcements, below the application prefix. */
    static final String REQUEST_TOPIC = "#admin";

    /**
     * How many queries in a row a node may leave without a response before queries stop waiting for it. A node that
     * was killed sends no {@code BYE}, and without this every later query would wait its full timeout for it. Such a
     * node is still named as missing in every result, so a live node that is only paused is never left out
     * silently, and it is waited for again from its next message, such as its late response.
     */
    static final int MISSES_BEFORE_NO_WAIT = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterAdminService.class);

    private static final Query<CacheView> CACHES = new Query<>("caches", CacheView.class, NodeAdmin::caches);
    private static final Query<ChannelView> CHANNELS = new Query<>("channels", ChannelView.class,
            NodeAdmin::channels);
    private static final Query<QueueView> QUEUES = new Query<>("queues", QueueView.class, NodeAdmin::queues);
    private static final Query<LockView> LOCKS = new Query<>("locks", LockView.class, NodeAdmin::locks);
    private static final Query<SyncChannelView> SYNC_CHANNELS = new Query<>("sync-channels",
            SyncChannelView.class, NodeAdmin::syncChannels);
    private static final Map<String, Query<?>> QUERIES = Map.of(CACHES.name(), CACHES, CHANNELS.name(), CHANNELS,
            QUEUES.name(), QUEUES, LOCKS.name(), LOCKS, SYNC_CHANNELS.name(), SYNC_CHANNELS);

    private final NodeSettings settings;
    private final NodeAdmin local;
    private final TopicRouter router;
    private final Executor responder;
    private final JsonCodec codec;
    private final String requestTopic;
    private final String replyTopic;
    private final Consumer<Envelope> requestReceiver = this::onRequestTopic;
    private final Consumer<Envelope> replyReceiver = this::onReplyTopic;
    private final Map<String, Instant> knownNodes = new ConcurrentHashMap<>();
    /**
     * How many queries in a row each known node left without a response. Queries do not wait for a node with
     * {@value #MISSES_BEFORE_NO_WAIT} or more.
     */
    private final Map<String, Integer> missedQueries = new ConcurrentHashMap<>();
    private final Map<String, PendingQuery> pending = new ConcurrentHashMap<>();
    private final String instance = UUID.randomUUID().toString();
    private final String location;
    private final Map<String, String> sameIdNodes = new ConcurrentHashMap<>();
    private final AtomicBoolean listening = new AtomicBoolean();

    /**
     * @param router the router of the admin topics; this service adds and removes its receivers, and its owner
     *     adds the adapters and closes it
     * @param responder runs the queries of other nodes and sends {@code HELLO}, never on the calling thread, which
     *     is the adapter's
     * @param codec its mapper writes and reads the messages and the rows, from the first message on
     */
    ClusterAdminService(NodeSettings settings, NodeAdmin local, TopicRouter router, Executor responder,
            JsonCodec codec) {
        this.settings = settings;
        this.local = local;
        this.router = router;
        this.responder = responder;
        this.codec = codec;
        this.requestTopic = settings.scoped(REQUEST_TOPIC);
        this.replyTopic = replyTopic(settings.nodeId());
        this.location = "process " + ProcessHandle.current().pid() + ", data folder " + settings.dataDir();
    }

    /**
     * Starts listening on the admin topics, once, and announces this node, every time. Call it when the configured
     * pub/sub adapter registers, so that a node whose adapter came late still announces itself.
     */
    void start() {
        if (listening.compareAndSet(false, true)) {
            router.addReceiver(requestTopic, requestReceiver);
            router.addReceiver(replyTopic, replyReceiver);
            LOG.info("Cluster admin of node {} listens on topics {} and {}", settings.nodeId(), requestTopic,
                    replyTopic);
        }
        announce("announce itself");
    }

    /** Announces this node's stop and stops listening. Later queries get only this node's rows. */
    void stop() {
        if (!listening.compareAndSet(true, false)) {
            return;
        }
        sendQuietly(requestTopic, AdminMessage.of(AdminMessage.Kind.BYE));
        router.removeReceiver(requestTopic, requestReceiver);
        router.removeReceiver(replyTopic, replyReceiver);
        LOG.info("Cluster admin of node {} stopped", settings.nodeId());
    }

    /** Returns the other nodes this node expects responses from, with when it last received a message from each. */
    Map<String, Instant> knownNodes() {
        return new TreeMap<>(knownNodes);
    }

    /**
     * Returns the other running nodes that sent {@code HELLO} with this node's id: the admin instance of each, with
     * its process id and data folder.
     */
    Map<String, String> sameIdNodes() {
        return Map.copyOf(sameIdNodes);
    }

    @Override
    public ClusterResult<CacheView> caches(Duration timeout) {
        return query(CACHES, timeout);
    }

    @Override
    public ClusterResult<ChannelView> channels(Duration timeout) {
        return query(CHANNELS, timeout);
    }

    @Override
    public ClusterResult<QueueView> queues(Duration timeout) {
        return query(QUEUES, timeout);
    }

    @Override
    public ClusterResult<LockView> locks(Duration timeout) {
        return query(LOCKS, timeout);
    }

    @Override
    public ClusterResult<SyncChannelView> syncChannels(Duration timeout) {
        return query(SYNC_CHANNELS, timeout);
    }

    private <T> ClusterResult<T> query(Query<T> query, Duration timeout) {
        requireTimeout(timeout);
        Map<String, Instant> expected = knownNodes();
        String requestId = UUID.randomUUID().toString();
        Set<String> waitFor = new HashSet<>(expected.keySet());
        waitFor.removeIf(node -> missedQueries.getOrDefault(node, 0) >= MISSES_BEFORE_NO_WAIT);
        PendingQuery responses = new PendingQuery(waitFor);
        pending.put(requestId, responses);
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            String sendFailure = listening.get()
                    ? sendQuietly(requestTopic, AdminMessage.query(requestId, query.name()))
                    : "the cluster admin of this node is not listening";
            LOG.debug("Node {} sent admin query {} ({}) to {} known nodes", settings.nodeId(), requestId,
                    query.name(), expected.size());

            List<T> rows = new ArrayList<>(query.rows().apply(local));
            if (sendFailure == null) {
                responses.await(deadline);
            }
            return collect(query, rows, expected, waitFor, responses.responses(), sendFailure, timeout);
        } finally {
            pending.remove(requestId);
        }
    }

    private <T> ClusterResult<T> collect(Query<T> query, List<T> rows, Map<String, Instant> expected,
            Set<String> waitedFor, Map<String, AdminMessage> responses, String sendFailure, Duration timeout) {
        List<String> responded = new ArrayList<>(List.of(settings.nodeId()));
        List<MissingNode> missing = new ArrayList<>();
        JavaType listType = codec.mapper().getTypeFactory().constructCollectionType(List.class, query.rowType());
        for (Map.Entry<String, AdminMessage> response : responses.entrySet()) {
            String node = response.getKey();
            AdminMessage message = response.getValue();
            if (message.kind() == AdminMessage.Kind.ERROR) {
                missing.add(new MissingNode(node, lastSeen(node), "query failed on that node: " + message.error()));
                continue;
            }
            if (message.rows() == null || !message.rows().isArray()) {
                missing.add(new MissingNode(node, lastSeen(node), "its response has no rows"));
                continue;
            }
            try {
                rows.addAll(codec.mapper().convertValue(message.rows(), listType));
                responded.add(node);
            } catch (IllegalArgumentException e) {
                missing.add(new MissingNode(node, lastSeen(node), "its rows could not be read: "
                        + OperatorJson.oneLine(e.getMessage())));
            }
        }
        for (Map.Entry<String, Instant> node : expected.entrySet()) {
            // A node that announced its stop during the query is no longer expected.
            if (!responses.containsKey(node.getKey()) && knownNodes.containsKey(node.getKey())) {
                String reason;
                if (sendFailure != null) {
                    reason = "the query could not be sent: " + sendFailure;
                } else if (!waitedFor.contains(node.getKey())) {
                    reason = "no response to the last " + MISSES_BEFORE_NO_WAIT + " or more queries, so this one "
                            + "did not wait for it";
                } else {
                    reason = "no response within " + timeout.toMillis() + " ms";
                    countMiss(node.getKey());
                }
                missing.add(new MissingNode(node.getKey(), knownNodes.getOrDefault(node.getKey(), node.getValue()),
                        reason));
            }
        }
        if (!missing.isEmpty()) {
            LOG.warn("Admin query {} of node {} has no rows from {}", query.name(), settings.nodeId(),
                    missing.stream().map(node -> "node " + node.nodeId() + " (" + node.reason() + ")").toList());
        }
        return new ClusterResult<>(rows, responded, missing, timeout);
    }

    private void onRequestTopic(Envelope envelope) {
        AdminMessage message = decode(envelope);
        if (message == null || message.kind() == null) {
            return;
        }
        String source = envelope.sourceNode();
        if (settings.nodeId().equals(source)) {
            if (message.kind() == AdminMessage.Kind.HELLO && message.instance() != null
                    && !instance.equals(message.instance())) {
                sameIdSeen(message.instance(), message.location());
            }
            return;
        }
        switch (message.kind()) {
            case HELLO -> {
                see(source);
                respond(source, () -> AdminMessage.of(AdminMessage.Kind.PRESENT));
            }
            case QUERY -> {
                see(source);
                respond(source, () -> computeRows(source, message));
            }
            case BYE -> {
                pending.values().forEach(query -> query.forget(source));
                missedQueries.remove(source);
                if (knownNodes.remove(source) != null) {
                    LOG.info("Node {} announced its stop; node {} no longer expects its responses", source,
                            settings.nodeId());
                }
            }
            default -> LOG.debug("Node {} ignored a {} message from node {} on {}", settings.nodeId(),
                    message.kind(), source, requestTopic);
        }
    }

    private void onReplyTopic(Envelope envelope) {
        AdminMessage message = decode(envelope);
        if (message == null || message.kind() == null) {
            return;
        }
        String source = envelope.sourceNode();
        see(source);
        if (message.kind() == AdminMessage.Kind.ROWS || message.kind() == AdminMessage.Kind.ERROR) {
            PendingQuery responses = message.requestId() == null ? null : pending.get(message.requestId());
            if (responses == null) {
                LOG.debug("Node {} dropped a late response from node {} to admin query {}", settings.nodeId(), source,
                        message.requestId());
                return;
            }
            responses.add(source, message);
        }
    }

    /** Computes this node's rows for a query of {@code requester}, on the responder thread. */
    private AdminMessage computeRows(String requester, AdminMessage request) {
        Query<?> query = request.query() == null ? null : QUERIES.get(request.query());
        if (query == null) {
            return AdminMessage.error(request.requestId(), "unknown query '" + request.query() + "'; known: "
                    + QUERIES.keySet());
        }
        try {
            return AdminMessage.rows(request.requestId(), codec.mapper().valueToTree(query.rows().apply(local)));
        } catch (RuntimeException e) {
            LOG.error("Node {} failed to compute admin query {} ({}) for node {}", settings.nodeId(),
                    request.requestId(), query.name(), requester, e);
            return AdminMessage.error(request.requestId(), e.toString());
        }
    }

    /** Computes a reply on the responder thread and sends it to {@code node}'s reply topic. */
    private void respond(String node, Supplier<AdminMessage> reply) {
        try {
            responder.execute(() -> sendQuietly(replyTopic(node), reply.get()));
        } catch (RejectedExecutionException e) {
            LOG.debug("Node {} is stopping and does not respond to node {}", settings.nodeId(), node);
        }
    }

    /**
     * Logs that another running node has this node's id, once per such node, and sends {@code HELLO} again,
     * because the node that started later did not receive this node's first one.
     */
    private void sameIdSeen(String otherInstance, String otherLocation) {
        String described = otherLocation == null ? "admin instance " + otherInstance : otherLocation;
        if (sameIdNodes.putIfAbsent(otherInstance, described) != null) {
            return;
        }
        LOG.error("Node id {} is used by two running nodes: this one ({}) and another ({}). Each drops the other's "
                + "sync messages and skipSelf messages as its own, and queries that name the node reach both. When "
                + "node.id is set in an etc/io.cohort.core.cfg that several nodes read, remove it there (the nodes "
                + "apply the change while running). When a node folder was copied with its data/node.id, stop the "
                + "copy, delete that file in its data folder and start it again", settings.nodeId(), location,
                described);
        announce("send HELLO again to the other node with its id");
    }

    /**
     * Sends {@code HELLO} on the responder, which the owner lets finish before it calls {@link #stop}, so a
     * {@code HELLO} never follows this node's {@code BYE}. The first message a node writes builds the JSON mapper,
     * about a tenth of a second, and the node's start does not wait for that.
     */
    private void announce(String purpose) {
        try {
            responder.execute(() -> {
                try {
                    send(requestTopic, AdminMessage.hello(instance, location), false);
                } catch (RuntimeException e) {
                    LOG.error("Node {} could not {}", settings.nodeId(), purpose, e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Node {} is stopping and does not {}", settings.nodeId(), purpose);
        }
    }

    /** Records that {@code node} sent a message now. */
    private void see(String node) {
        if (node == null || node.equals(settings.nodeId())) {
            return;
        }
        Integer misses = missedQueries.remove(node);
        if (misses != null && misses >= MISSES_BEFORE_NO_WAIT) {
            LOG.info("Node {} sent a message again; node {} waits for its responses again", node, settings.nodeId());
        }
        if (knownNodes.put(node, Instant.now()) == null) {
            LOG.info("Node {} expects responses to admin queries from node {} from now on", settings.nodeId(),
                    node);
        }
    }

    /** Counts a query that {@code node} left without a response, and stops waiting for it after too many in a row. */
    private void countMiss(String node) {
        int misses = missedQueries.merge(node, 1, Integer::sum);
        if (misses == MISSES_BEFORE_NO_WAIT) {
            LOG.info("Node {} stops waiting for node {}: it left {} admin queries in a row without a response (last "
                    + "seen {}). Queries still name it as missing, and wait for it again once it sends a message",
                    settings.nodeId(), node, misses, knownNodes.get(node));
        }
    }

    private Instant lastSeen(String node) {
        return knownNodes.get(node);
    }

    /**
     * Sends {@code message} on {@code topic}, skipping this node, and returns null, or returns why it could not be
     * sent.
     */
    private String sendQuietly(String topic, AdminMessage message) {
        return send(topic, message, true);
    }

    private String send(String topic, AdminMessage message, boolean skipSource) {
        byte[] payload;
        try {
            payload = codec.mapper().writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("admin message " + message.kind() + " cannot be written as JSON", e);
        }
        Envelope envelope = new Envelope(UUID.randomUUID().toString(), settings.nodeId(), System.currentTimeMillis(),
                skipSource, payload);
        try {
            router.publish(topic, envelope);
            return null;
        } catch (RuntimeException e) {
            LOG.warn("Node {} could not send admin message {} on topic {}: {}", settings.nodeId(), message.kind(),
                    topic, e.getMessage());
            return e.getMessage();
        }
    }

    private AdminMessage decode(Envelope envelope) {
        try {
            return codec.mapper().readValue(envelope.payload(), AdminMessage.class);
        } catch (IOException e) {
            LOG.warn("Node {} dropped admin message {} from node {}: it is not admin JSON: {}", settings.nodeId(),
                    envelope.id(), envelope.sourceNode(), OperatorJson.oneLine(e.getMessage()));
            return null;
        }
    }

    private String replyTopic(String node) {
        return settings.scoped(REQUEST_TOPIC + ":" + node);
    }

    private static void requireTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout " + timeout + " is out of range; expected a positive "
                    + "duration of at most " + MAX_TIMEOUT.toSeconds() + " s");
        }
    }

    /**
     * A cluster query: its name on the wire, its row type and how a node computes its rows.
     *
     * @param <T> the row type
     */
    private record Query<T>(String name, Class<T> rowType, Function<NodeAdmin, List<T>> rows) {
    }

    /** The responses to one query, and the expected nodes that have not responded yet. */
    private static final class PendingQuery {

        private final Set<String> waitingFor;
        private final Map<String, AdminMessage> responses = new TreeMap<>();

        PendingQuery(Set<String> expected) {
            this.waitingFor = new HashSet<>(expected);
        }

        synchronized void add(String node, AdminMessage message) {
            responses.putIfAbsent(node, message);
            waitingFor.remove(node);
            notifyAll();
        }

        /** Stops waiting for {@code node}, which announced its stop. */
        synchronized void forget(String node) {
            waitingFor.remove(node);
            notifyAll();
        }

        /** Waits until every expected node responded or {@code deadlineNanos} on the nanoTime clock passed. */
        synchronized void await(long deadlineNanos) {
            while (!waitingFor.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        synchronized Map<String, AdminMessage> responses() {
            return new TreeMap<>(responses);
        }
    }
}
