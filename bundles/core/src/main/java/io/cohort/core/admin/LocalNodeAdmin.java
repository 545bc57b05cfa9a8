package io.cohort.core.admin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.admin.QueueView;
import io.cohort.api.admin.SyncChannelView;
import io.cohort.api.pubsub.Delivery;
import io.cohort.api.pubsub.PublishOptions;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;
import io.cohort.core.cache.CacheCounters;
import io.cohort.core.cache.CacheService;
import io.cohort.core.cache.RegionCache;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.lock.LockService;
import io.cohort.core.node.Names;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.pubsub.NodePubSubManager;
import io.cohort.core.queue.ChannelCounters;
import io.cohort.core.queue.EventQueueManager;
import io.cohort.core.sync.NodeSyncManager;
import io.cohort.core.sync.SyncCounters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link NodeAdmin} of this node: it reads the counters the managers keep and calls the managers for the write
 * operations, so an operator's value or message takes the same path as a plugin's.
 *
 * <p>Reads never count as cache hits or misses. A store or adapter that is not registered shows as -1 in the counts
 * read from it, so one missing adapter does not hide the other rows.
 */
final class LocalNodeAdmin implements NodeAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(LocalNodeAdmin.class);

    private final NodeSettings settings;
    private final CacheService caches;
    private final NodePubSubManager pubSub;
    private final EventQueueManager queue;
    private final LockService locks;
    private final NodeSyncManager sync;
    private final OperatorJson json = new OperatorJson(new JsonCodec());

    LocalNodeAdmin(NodeSettings settings, CacheService caches, NodePubSubManager pubSub, EventQueueManager queue,
            LockService locks, NodeSyncManager sync) {
        this.settings = settings;
        this.caches = caches;
        this.pubSub = pubSub;
        this.queue = queue;
        this.locks = locks;
        this.sync = sync;
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public List<CacheView> caches() {
        List<CacheView> views = new ArrayList<>();
        for (RegionCache cache : sortedCaches()) {
            CacheCounters counters = cache.counters();
            views.add(new CacheView(nodeId(), cache.name(), cache.store(), cache.regionName(),
                    cache.options().ttl().orElse(null), cache.options().maxEntries(), entryCount(cache),
                    counters.hits(), counters.misses(), counters.sets(), counters.deletes(), counters.loads(),
                    counters.loadFailures()));
        }
        return views;
    }

    @Override
    public Optional<String> cacheValue(String cache, String key) {
        RegionCache target = requireCache(cache);
        return target.peek(key).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public void setCacheValue(String cache, String key, String value, Duration ttl) {
        RegionCache target = requireCache(cache);
        Names.requireName("cache '" + target.name() + "' key", key);
        Object parsed = json.parse("value for key '" + key + "' of cache '" + target.name() + "'", value);

        if (ttl == null) {
            target.set(key, parsed);
        } else {
            target.set(key, parsed, ttl);
        }
        LOG.info("Operator set key {} of cache {} on node {} (ttl {})", key, target.name(), nodeId(),
                ttl == null ? "cache default" : ttl);
    }

    @Override
    public List<String> deleteCacheKeys(String cache, List<String> keys) {
        RegionCache target = requireCache(cache);
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("no keys given for cache '" + target.name()
                    + "'; expected one or more keys to delete");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String key : keys) {
            distinct.add(Names.requireName("cache '" + target.name() + "' key", key));
        }

        List<String> deleted = new ArrayList<>();
        for (String key : distinct) {
            if (target.del(key) > 0) {
                deleted.add(key);
            }
        }
        LOG.info("Operator deleted keys {} of cache {} on node {}; not present: {}", deleted, target.name(),
                nodeId(), distinct.size() - deleted.size());
        return deleted;
    }

    @Override
    public void resetCache(String cache) {
        RegionCache target = requireCache(cache);
        target.reset();
        LOG.info("Operator reset cache {} on node {}", target.name(), nodeId());
    }

    @Override
    public List<ChannelView> channels() {
        var counts = pubSub.channelCounts();
        Map<String, List<String>> owners = pubSub.subscriptionOwners();
        Set<String> channels = new TreeSet<>(counts.keySet());
        channels.addAll(owners.keySet());

        List<ChannelView> views = new ArrayList<>();
        for (String channel : channels) {
            List<String> subscriptions = owners.getOrDefault(channel, List.of());
            var channelCounts = counts.get(channel);
            views.add(channelCounts == null
                    ? new ChannelView(nodeId(), channel, subscriptions, 0, 0, 0, 0)
                    : new ChannelView(nodeId(), channel, subscriptions, channelCounts.published(),
                            channelCounts.delivered(), channelCounts.failed(), channelCounts.dropped()));
        }
        return views;
    }

    @Override
    public void publish(String channel, String message, Delivery delivery) {
        Names.requireName("channel", channel);
        Object parsed = json.parse("message for channel '" + channel + "'", message);
        PublishOptions options = new PublishOptions(delivery == null ? Delivery.ALL : delivery);

        pubSub.publish(channel, parsed, options);
        LOG.info("Operator published a message on channel {} from node {} ({})", channel, nodeId(),
                options.delivery());
    }

    /**
     * Returns a row for every channel this node published or consumed on, and for every other channel of the
     * application whose queue contains waiting tasks or dead letters, such as tasks restored at start on a channel that
     * no plugin consumes any more.
     */
    @Override
    public List<QueueView> queues() {
        Map<String, ChannelCounters> counters = queue.channelCounters();
        Set<String> channels = new TreeSet<>(counters.keySet());
        for (String channel : queue.storedChannels()) {
            if (!channels.contains(channel) && (pending(channel) > 0 || deadLetterCount(channel) > 0)) {
                channels.add(channel);
            }
        }

        List<QueueView> views = new ArrayList<>();
        for (String channel : channels) {
            ChannelCounters channelCounters = counters.getOrDefault(channel, new ChannelCounters());
            views.add(new QueueView(nodeId(), channel, queue.consumers(channel), queue.running(channel),
                    pending(channel), deadLetterCount(channel), channelCounters.published(),
                    channelCounters.completed(), channelCounters.retried(), channelCounters.dead()));
        }
        return views;
    }

    @Override
    public List<DeadLetter> deadLetters(String channel) {
        Names.requireName("queue channel", channel);
        List<DeadLetter> letters = queue.deadLetters(channel);
        if (letters.isEmpty() && !queue.channelCounters().containsKey(channel)
                && !queue.storedChannels().contains(channel)) {
            Set<String> known = new TreeSet<>(queue.channelCounters().keySet());
            known.addAll(queue.storedChannels());
            throw new IllegalArgumentException("queue channel '" + channel + "' not found: node " + nodeId()
                    + " never published or consumed on it and the queue adapter stores no queue for it; known "
                    + "channels: " + known);
        }
        return letters;
    }

    @Override
    public void retryDeadLetter(String channel, String taskId) {
        Names.requireName("queue channel", channel);
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException("task id for queue channel '" + channel
                    + "' is empty; expected the id of one of its dead letters");
        }
        if (!queue.retryDeadLetter(channel, taskId)) {
            throw new IllegalArgumentException("dead letter '" + Names.abbreviate(taskId) + "' not found on queue "
                    + "channel '" + channel + "'; " + deadLetterCount(queue.deadLetters(channel).size()));
        }
        LOG.info("Operator queued dead letter {} of channel {} again from node {}", taskId, channel, nodeId());
    }

    @Override
    public List<String> retryDeadLetters(String channel) {
        List<String> retried = new ArrayList<>();
        for (DeadLetter letter : deadLetters(channel)) {
            // A letter that another operator or node retried in the meantime is skipped.
            if (queue.retryDeadLetter(channel, letter.taskId())) {
                retried.add(letter.taskId());
            }
        }
        LOG.info("Operator queued {} dead letters of channel {} again from node {}", retried.size(), channel,
                nodeId());
        return retried;
    }

    @Override
    public String publishTask(String channel, String payload, TaskOptions options) {
        Names.requireName("queue channel", channel);
        Object parsed = json.parse("payload for queue channel '" + channel + "'", payload);
        TaskOptions effective = options == null ? TaskOptions.defaults() : options;

        String taskId = queue.publish(channel, parsed, effective);
        LOG.info("Operator published task {} on channel {} from node {} (timeout {}, maxRetries {})", taskId,
                channel, nodeId(), effective.timeout(), effective.maxRetries());
        return taskId;
    }

    @Override
    public List<LockView> locks() {
        Instant now = Instant.now();
        List<LockView> views = new ArrayList<>();
        for (LockService.HeldLease lease : locks.heldLeases()) {
            views.add(new LockView(nodeId(), lease.key(), lease.owner(), lease.fenceToken(), lease.acquiredAt(),
                    lease.expiresAt(), now));
        }
        return views;
    }

    @Override
    public Optional<LockView> lock(String key) {
        Names.requireName("lock key", key);
        return locks().stream().filter(view -> view.key().equals(key)).findFirst();
    }

    @Override
    public boolean isLocked(String key) {
        return locks.isLocked(key);
    }

    @Override
    public List<SyncChannelView> syncChannels() {
        List<SyncChannelView> views = new ArrayList<>();
        for (Map.Entry<SyncCounters.Key, SyncCounters.Counts> entry : sync.channelCounts().entrySet()) {
            SyncCounters.Key key = entry.getKey();
            SyncCounters.Counts counts = entry.getValue();
            views.add(new SyncChannelView(nodeId(), key.plugin(), key.channel(), counts.sent(), counts.received(),
                    counts.duplicates(), counts.handled(), counts.failed()));
        }
        return views;
    }

    /**
     * Returns the node's totals by name ({@code cache.hits}, {@code queue.running}...), summed from the counters the
     * managers keep. It asks no store or adapter, so it is cheap enough to call every second.
     */
    Map<String, Long> totals() {
        Map<String, Long> totals = new LinkedHashMap<>();
        List<RegionCache> all = sortedCaches();
        totals.put("cache.count", (long) all.size());
        totals.put("cache.hits", all.stream().mapToLong(cache -> cache.counters().hits()).sum());
        totals.put("cache.misses", all.stream().mapToLong(cache -> cache.counters().misses()).sum());

        long[] pubSubTotals = new long[4];
        pubSub.channelCounts().values().forEach(counts -> {
            pubSubTotals[0] += counts.published();
            pubSubTotals[1] += counts.delivered();
            pubSubTotals[2] += counts.failed();
            pubSubTotals[3] += counts.dropped();
        });
        totals.put("pubsub.published", pubSubTotals[0]);
        totals.put("pubsub.delivered", pubSubTotals[1]);
        totals.put("pubsub.failed", pubSubTotals[2]);
        totals.put("pubsub.dropped", pubSubTotals[3]);

        Map<String, ChannelCounters> queueCounters = queue.channelCounters();
        totals.put("queue.published", queueCounters.values().stream().mapToLong(ChannelCounters::published).sum());
        totals.put("queue.completed", queueCounters.values().stream().mapToLong(ChannelCounters::completed).sum());
        totals.put("queue.retried", queueCounters.values().stream().mapToLong(ChannelCounters::retried).sum());
        totals.put("queue.dead", queueCounters.values().stream().mapToLong(ChannelCounters::dead).sum());
        totals.put("queue.running", queue.resourceCounts().getOrDefault("queue.running", 0L));

        totals.put("lock.held", locks.resourceCounts().getOrDefault(LockService.HELD_RESOURCE, 0L));

        long[] syncTotals = new long[4];
        sync.channelCounts().values().forEach(counts -> {
            syncTotals[0] += counts.sent();
            syncTotals[1] += counts.received();
            syncTotals[2] += counts.handled();
            syncTotals[3] += counts.failed();
        });
        totals.put("sync.sent", syncTotals[0]);
        totals.put("sync.received", syncTotals[1]);
        totals.put("sync.handled", syncTotals[2]);
        totals.put("sync.failed", syncTotals[3]);
        return totals;
    }

    private List<RegionCache> sortedCaches() {
        List<RegionCache> sorted = new ArrayList<>(caches.caches());
        sorted.sort(Comparator.comparing(RegionCache::name));
        return sorted;
    }

    private RegionCache requireCache(String name) {
        Names.requireName("cache name", name);
        for (RegionCache cache : caches.caches()) {
            if (cache.name().equals(name)) {
                return cache;
            }
        }
        throw new IllegalArgumentException("cache '" + name + "' not found on node " + nodeId()
                + "; caches on this node: " + caches.cacheNames());
    }

    private static long entryCount(RegionCache cache) {
        try {
            return cache.entryCount();
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    private long pending(String channel) {
        try {
            return queue.pending(channel);
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    private long deadLetterCount(String channel) {
        try {
            return queue.deadLetters(channel).size();
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    /** Returns "it has N dead letters", in the singular for one. */
    private static String deadLetterCount(int count) {
        return "it has " + count + (count == 1 ? " dead letter" : " dead letters");
    }
}
