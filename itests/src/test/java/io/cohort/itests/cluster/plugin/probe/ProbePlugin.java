package io.cohort.itests.cluster.plugin.probe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockManager;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.pubsub.PublishOptions;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskContext;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.sync.SyncMessage;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin that runs on every node of a test cluster and lets the test drive the five services through Gogo
 * commands ({@code probe:<method>}), recording what this node received so the test can compare the nodes.
 *
 * <p>Pub/sub and queue payloads are strings {@code <publisher>:<sequence>} and {@code <kind>:<id>}. The reports are
 * lines of plain text that the test parses, in the format each method describes.
 */
@Component(service = Plugin.class, property = {
    Plugin.NAME_PROPERTY + "=" + ProbePlugin.NAME,
    "osgi.command.scope=probe",
    "osgi.command.function=cacheSet",
    "osgi.command.function=cacheGet",
    "osgi.command.function=cacheReset",
    "osgi.command.function=counterGet",
    "osgi.command.function=subscribe",
    "osgi.command.function=publish",
    "osgi.command.function=publishAudit",
    "osgi.command.function=received",
    "osgi.command.function=syncSend",
    "osgi.command.function=syncReceived",
    "osgi.command.function=consume",
    "osgi.command.function=enqueue",
    "osgi.command.function=runs",
    "osgi.command.function=deadLetters",
    "osgi.command.function=count"
})
public class ProbePlugin implements Plugin {

    public static final String NAME = "probe";

    /** Payload kind of a task whose attempts block until they are cancelled. */
    public static final String BLOCK = "block";

    /** Payload kind of a task that completes at once. */
    public static final String QUICK = "quick";

    private static final Duration LOCK_TTL = Duration.ofSeconds(30);

    @Reference
    private CacheManager caches;

    @Reference
    private PubSubManager pubSub;

    @Reference
    private EventQueue queue;

    @Reference
    private LockManager locks;

    private volatile PluginContext context;
    private final Map<String, List<String>> received = new ConcurrentHashMap<>();
    private final Queue<String> syncReceived = new ConcurrentLinkedQueue<>();
    private final Map<String, Queue<String>> runs = new ConcurrentHashMap<>();

    @Override
    public void load(PluginContext pluginContext) {
        context = pluginContext;
    }

    @Override
    public void handleSyncMessage(SyncMessage message) {
        syncReceived.add(message.channel() + " " + message.payload(String.class) + " " + message.sourceNode());
    }

    /** Stores {@code value} (a JSON string) in {@code cache}; {@code ttlMillis} 0 uses the cache's default. */
    public String cacheSet(String cache, String key, String value, long ttlMillis) {
        Cache target = cache(cache);
        if (ttlMillis > 0) {
            target.set(key, value, Duration.ofMillis(ttlMillis));
        } else {
            target.set(key, value);
        }
        return "stored";
    }

    /** Returns the string under {@code key}, or {@code (absent)}. */
    public String cacheGet(String cache, String key) {
        return cache(cache).get(key, String.class).orElse("(absent)");
    }

    public String cacheReset(String cache) {
        cache(cache).reset();
        return "reset";
    }

    /** Returns the number under {@code key}, or {@code (absent)}. */
    public String counterGet(String cache, String key) {
        return cache(cache).get(key, Long.class).map(String::valueOf).orElse("(absent)");
    }

    /** Subscribes this node's probe to {@code channel}; {@link #received} reports what it got. */
    public String subscribe(String channel) {
        List<String> payloads = Collections.synchronizedList(new ArrayList<>());
        if (received.putIfAbsent(channel, payloads) != null) {
            throw new IllegalStateException("probe already subscribed to " + channel);
        }
        pubSub.subscribe(channel, String.class, message -> payloads.add(message.payload()));
        return "subscribed";
    }

    /**
     * Publishes {@code <publisher>:0} to {@code <publisher>:<count-1>} in order from this thread.
     *
     * @param delivery {@code ALL}, {@code SKIP_SELF} or {@code ONLY_SELF}
     */
    public String publish(String channel, String publisher, int count, String delivery) {
        PublishOptions options = switch (delivery) {
            case "ALL" -> PublishOptions.defaults();
            case "SKIP_SELF" -> PublishOptions.skipSelf();
            case "ONLY_SELF" -> PublishOptions.onlySelf();
            default -> throw new IllegalArgumentException("delivery " + delivery + " is not ALL, SKIP_SELF or "
                    + "ONLY_SELF");
        };
        for (int sequence = 0; sequence < count; sequence++) {
            pubSub.publish(channel, publisher + ":" + sequence, options);
        }
        return "published " + count;
    }

    /** Publishes an object with a text {@code sku} and a list {@code cents}, which a price record cannot read. */
    public String publishAudit(String channel, String sku, long cents) {
        Map<String, Object> entry = new HashMap<>();
        entry.put("sku", sku);
        entry.put("cents", List.of(cents));
        pubSub.publish(channel, entry);
        return "published";
    }

    /**
     * Returns what this node's subscription to {@code channel} received: a line {@code total=<n>}, then one line per
     * publisher, sorted, {@code <publisher> count=<n> distinct=<d> outOfOrder=<o>}, where outOfOrder counts messages
     * whose sequence is not greater than the one before from the same publisher.
     */
    public String received(String channel) {
        List<String> payloads = received.get(channel);
        if (payloads == null) {
            throw new IllegalStateException("probe is not subscribed to " + channel);
        }
        List<String> copy;
        synchronized (payloads) {
            copy = new ArrayList<>(payloads);
        }
        Map<String, int[]> stats = new TreeMap<>();
        Map<String, Set<Long>> seen = new HashMap<>();
        Map<String, Long> last = new HashMap<>();
        for (String payload : copy) {
            int colon = payload.lastIndexOf(':');
            String publisher = payload.substring(0, colon);
            long sequence = Long.parseLong(payload.substring(colon + 1));
            int[] counts = stats.computeIfAbsent(publisher, p -> new int[3]);
            counts[0]++;
            if (seen.computeIfAbsent(publisher, p -> new HashSet<>()).add(sequence)) {
                counts[1]++;
            }
            Long previous = last.put(publisher, sequence);
            if (previous != null && sequence <= previous) {
                counts[2]++;
            }
        }
        StringBuilder report = new StringBuilder("total=").append(copy.size()).append('\n');
        stats.forEach((publisher, counts) -> report.append(publisher).append(" count=").append(counts[0])
                .append(" distinct=").append(counts[1]).append(" outOfOrder=").append(counts[2]).append('\n'));
        return report.toString();
    }

    /** Sends {@code payload} to the probe on every other node, through the plugin's sync channel. */
    public String syncSend(String channel, String payload) {
        context.sendSync(channel, payload);
        return "sent";
    }

    /** Returns one line {@code <channel> <payload> <source node>} per sync message received, in arrival order. */
    public String syncReceived() {
        StringBuilder report = new StringBuilder();
        syncReceived.forEach(line -> report.append(line).append('\n'));
        return report.toString();
    }

    /**
     * Starts consuming {@code channel} with {@code concurrency} workers. A {@value #BLOCK} task waits until it is
     * cancelled; any other task completes at once.
     */
    public String consume(String channel, int concurrency) {
        Queue<String> channelRuns = new ConcurrentLinkedQueue<>();
        if (runs.putIfAbsent(channel, channelRuns) != null) {
            throw new IllegalStateException("probe already consumes " + channel);
        }
        queue.subscribe(channel, String.class, new RecordingConsumer(channelRuns, concurrency));
        return "consuming";
    }

    /** Publishes tasks {@code <kind>:0} to {@code <kind>:<count-1>} and returns their ids, one per line. */
    public String enqueue(String channel, String kind, int count, long timeoutMillis, int maxRetries,
            long backoffMillis) {
        TaskOptions options = new TaskOptions(Duration.ofMillis(timeoutMillis), maxRetries,
                Duration.ofMillis(backoffMillis));
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < count; i++) {
            ids.append(queue.publish(channel, kind + ":" + i, options)).append('\n');
        }
        return ids.toString();
    }

    /**
     * Returns one line per attempt that ended on this node on {@code channel}: {@code <payload> <attempt> <start>
     * <end>}, with {@link System#nanoTime()} values. Every node of a test cluster runs in one JVM, so the times of
     * different nodes compare.
     */
    public String runs(String channel) {
        Queue<String> channelRuns = runs.get(channel);
        if (channelRuns == null) {
            throw new IllegalStateException("probe does not consume " + channel);
        }
        StringBuilder report = new StringBuilder();
        channelRuns.forEach(line -> report.append(line).append('\n'));
        return report.toString();
    }

    /** Returns one line per dead letter of {@code channel}: {@code <task id> <attempts> <last error> <payload>}. */
    public String deadLetters(String channel) {
        StringBuilder report = new StringBuilder();
        for (DeadLetter letter : queue.deadLetters(channel)) {
            report.append(letter.taskId()).append(' ').append(letter.attempts()).append(' ')
                    .append(letter.lastError()).append(' ').append(letter.payloadJson()).append('\n');
        }
        return report.toString();
    }

    /** Adds 1 to the number under {@code counterKey} {@code times} times, each time holding {@code lockKey}. */
    public String count(String lockKey, String cache, String counterKey, int times) throws Exception {
        Cache counters = cache(cache);
        for (int i = 0; i < times; i++) {
            locks.runExclusive(lockKey, () -> {
                long current = counters.get(counterKey, Long.class).orElse(0L);
                counters.set(counterKey, current + 1);
                return null;
            }, LOCK_TTL);
        }
        return "counted " + times;
    }

    private Cache cache(String name) {
        return caches.createCache(CacheOptions.builder(name).build());
    }

    /** Records each attempt, with its start and end time, before and after running it. */
    private static final class RecordingConsumer implements TaskConsumer<String> {

        private final Queue<String> channelRuns;
        private final int concurrency;

        RecordingConsumer(Queue<String> channelRuns, int concurrency) {
            this.channelRuns = channelRuns;
            this.concurrency = concurrency;
        }

        @Override
        public int concurrency() {
            return concurrency;
        }

        @Override
        public void process(String payload, TaskContext task) throws Exception {
            long start = System.nanoTime();
            try {
                if (payload.startsWith(BLOCK + ":")) {
                    new CountDownLatch(1).await();
                }
            } finally {
                channelRuns.add(payload + " " + task.attempt() + " " + start + " " + System.nanoTime());
            }
        }
    }
}
