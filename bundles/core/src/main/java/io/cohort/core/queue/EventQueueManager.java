package io.cohort.core.queue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.TaskRecord;
import io.cohort.core.adapter.AdapterRegistry;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.Ids;
import io.cohort.core.node.Names;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.ResourceCounter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-wide event queue: publishes tasks to the configured {@link EventQueueAdapter}, runs the consumers that
 * plugin bundles subscribe through {@link BundleEventQueue}, and keeps per-channel task counts.
 *
 * <p>Each queue is named {@code <app>:<channel>}. The adapter named by {@link NodeSettings#queueAdapter()} is looked
 * up on each call, so an adapter that registers late is used without a restart. Deactivation stops every consumer
 * as {@link QueueConsumer#close()} describes, and later calls throw {@link IllegalStateException}.
 *
 * <p>The component is immediate, so that it and its channel counters live as long as the node settings, not only
 * while some bundle uses the event queue.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
@Component(service = {EventQueueManager.class, ResourceCounter.class}, immediate = true)
public final class EventQueueManager implements ResourceCounter {

    /** Highest {@link TaskConsumer#concurrency()} accepted. */
    public static final int MAX_CONCURRENCY = 256;

    /** Prefix of the logger of each channel, so that an operator can turn one channel up. */
    public static final String CHANNEL_LOGGER_PREFIX = "io.cohort.core.queue.channel.";

    /** How long a stop waits for workers to end after it cancelled their attempts. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(EventQueueManager.class);

    private final NodeSettings settings;
    private final JsonCodec codec = new JsonCodec();
    private final AdapterRegistry<EventQueueAdapter> adapters = new AdapterRegistry<>("queue adapter");
    private final Set<QueueConsumer<?>> consumers = ConcurrentHashMap.newKeySet();
    private final Map<String, ChannelCounters> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> threadNumbers = new ConcurrentHashMap<>();
    private final AtomicLong runningAttempts = new AtomicLong();
    private final ScheduledThreadPoolExecutor timeouts;
    private final Object lifecycle = new Object();
    private boolean closed;

    @Activate
    public EventQueueManager(@Reference(name = "settings") NodeSettings settings) {
        this.settings = settings;
        this.timeouts = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "cohort-queue-timeouts-1");
            thread.setDaemon(true);
            return thread;
        });
        timeouts.setRemoveOnCancelPolicy(true);
        LOG.info("Event queue started on node {} with adapter {}", settings.nodeId(), settings.queueAdapter());
    }

    @Reference(name = "adapters", service = EventQueueAdapter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeAdapter")
    public void addAdapter(EventQueueAdapter adapter, Map<String, Object> properties) {
        adapters.add(adapter, properties);
    }

    public void removeAdapter(EventQueueAdapter adapter, Map<String, Object> properties) {
        adapters.remove(adapter, properties);
    }

    /** Stops every consumer, waiting as {@link QueueConsumer#close()} does, and rejects later calls. */
    @Deactivate
    public void deactivate() {
        List<QueueConsumer<?>> all;
        synchronized (lifecycle) {
            closed = true;
            all = List.copyOf(consumers);
        }
        stop(all);
        timeouts.shutdownNow();
        LOG.info("Event queue stopped on node {}; {} consumers stopped", settings.nodeId(), all.size());
    }

    /**
     * Subscribes {@code consumer} and starts its workers, unless this node does not consume the channel (setting
     * {@code queue.consume}); such a consumer stays registered without workers.
     *
     * @param owner the subscribing bundle, for messages
     * @param onStopped called once the consumer stopped
     * @throws IllegalArgumentException if the channel is invalid, the type or consumer is null, or the concurrency
     *     is not between 1 and {@value #MAX_CONCURRENCY}
     * @throws IllegalStateException if this manager was deactivated
     */
    <T> QueueConsumer<T> subscribe(String channel, Class<T> type, TaskConsumer<T> consumer, String owner,
            Consumer<QueueConsumer<?>> onStopped) {
        Names.requireName("channel", channel);
        if (type == null) {
            throw new IllegalArgumentException("type is null; expected the class to read the payloads of channel "
                    + channel + " as");
        }
        if (consumer == null) {
            throw new IllegalArgumentException("consumer is null; expected a TaskConsumer for channel " + channel);
        }
        int concurrency = consumer.concurrency();
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency " + concurrency + " of the consumer of channel " + channel
                    + " is out of range; expected 1 to " + MAX_CONCURRENCY);
        }

        QueueConsumer<T> queueConsumer = new QueueConsumer<>(this, channel, type, consumer, concurrency, owner,
                stopped -> {
                    consumers.remove(stopped);
                    onStopped.accept(stopped);
                });
        boolean consumes = settings.queueRole().consumes(channel);
        synchronized (lifecycle) {
            requireOpen();
            consumers.add(queueConsumer);
            if (consumes) {
                queueConsumer.start();
            }
        }
        if (!consumes) {
            LOG.info("Consumer of channel {} for {} stays idle on node {}, whose queue.consume is {}; its tasks run "
                    + "on the nodes that consume the channel", channel, owner, settings.nodeId(),
                    settings.queueRole().describe());
        }
        return queueConsumer;
    }

    /**
     * Publishes a task and returns its id, a random UUID.
     *
     * @throws IllegalArgumentException if the channel is invalid, the payload is null or cannot be written as JSON,
     *     or the options are null
     * @throws IllegalStateException if this manager was deactivated or the configured adapter is not registered
     */
    public String publish(String channel, Object payload, TaskOptions options) {
        Names.requireName("channel", channel);
        byte[] json = codec.encode(() -> "payload on channel " + channel, payload);
        if (options == null) {
            throw new IllegalArgumentException("options of the task on channel " + channel
                    + " are null; expected TaskOptions, for example TaskOptions.defaults()");
        }
        requireOpen();

        TaskRecord task = new TaskRecord(Ids.randomId(), channel, json, 1, options.maxRetries(),
                saturatedMillis(options.timeout()), saturatedMillis(options.backoff()), System.currentTimeMillis());
        adapter().offer(queueName(channel), task);
        counters(channel).onPublished();
        LOG.debug("Task {} published on channel {} ({} bytes)", task.id(), channel, json.length);
        return task.id();
    }

    /** Returns the dead letters of {@code channel}, oldest first. */
    public List<DeadLetter> deadLetters(String channel) {
        Names.requireName("channel", channel);
        return adapter().deadLetters(queueName(channel));
    }

    /**
     * Moves the dead letter {@code taskId} of {@code channel} back to the queue as attempt 1, with the options it
     * was published with.
     *
     * @return whether the channel had a dead letter with that id
     * @throws IllegalStateException if this manager was deactivated or the configured adapter is not registered
     */
    public boolean retryDeadLetter(String channel, String taskId) {
        Names.requireName("channel", channel);
        if (taskId == null) {
            throw new IllegalArgumentException("task id is null; expected the id of a dead letter on channel "
                    + channel);
        }
        requireOpen();

        EventQueueAdapter adapter = adapter();
        String queue = queueName(channel);
        DeadLetter letter = adapter.removeDeadLetter(queue, taskId).orElse(null);
        if (letter == null) {
            return false;
        }
        TaskRecord task = retryRecord(channel, letter);
        try {
            adapter.offer(queue, task);
        } catch (RuntimeException e) {
            // Puts the letter back, so that a failed retry request does not lose the task.
            adapter.deadLetter(queue, letter);
            throw e;
        }
        LOG.info("Dead letter {} on channel {} queued again as attempt 1", taskId, channel);
        return true;
    }

    /** Returns how many tasks wait in the queue of {@code channel}, delayed retries included. */
    public long pending(String channel) {
        Names.requireName("channel", channel);
        return adapter().pending(queueName(channel));
    }

    /**
     * Returns the channels of this node's application that the configured adapter stores a queue for, sorted, so
     * that channels which no consumer on this node reads are listed too. Some may be empty. The set is empty while
     * the adapter is not registered, or when the adapter cannot list its queues.
     */
    public Set<String> storedChannels() {
        Optional<EventQueueAdapter> adapter = adapters.find(settings.queueAdapter());
        if (adapter.isEmpty()) {
            return Set.of();
        }
        String prefix = queueName("");
        Set<String> channels = new TreeSet<>();
        for (String queue : adapter.get().queueNames()) {
            if (queue.startsWith(prefix) && queue.length() > prefix.length()) {
                channels.add(queue.substring(prefix.length()));
            }
        }
        return channels;
    }

    /** Returns the task counts of every channel this node published or consumed on, sorted by channel. */
    public Map<String, ChannelCounters> channelCounters() {
        return new TreeMap<>(counters);
    }

    /** Returns how many consumers are subscribed to {@code channel} on this node. */
    public int consumers(String channel) {
        int count = 0;
        for (QueueConsumer<?> consumer : consumers) {
            if (consumer.channel().equals(channel)) {
                count++;
            }
        }
        return count;
    }

    /** Returns how many task attempts of {@code channel} run on this node now. */
    public int running(String channel) {
        int count = 0;
        for (QueueConsumer<?> consumer : consumers) {
            if (consumer.channel().equals(channel)) {
                count += consumer.runningCount();
            }
        }
        return count;
    }

    @Override
    public Map<String, Long> resourceCounts() {
        return Map.of("queue.consumers", (long) consumers.size(), "queue.running", runningAttempts.get());
    }

    /**
     * Stops {@code toStop} together: each stops taking tasks, then all get up to the node's queue shutdown timeout
     * to finish their running tasks, then the tasks still running are cancelled and handed back to the queue, and
     * the stop waits up to {@link #CANCEL_WAIT} for the workers to end.
     */
    void stop(Collection<? extends QueueConsumer<?>> toStop) {
        List<QueueConsumer<?>> list = new ArrayList<>(toStop);
        list.forEach(QueueConsumer::beginStop);

        Duration shutdownTimeout = settings.queueShutdownTimeout();
        long graceEnd = System.nanoTime() + shutdownTimeout.toNanos();
        list.forEach(consumer -> consumer.awaitWorkers(graceEnd));
        list.forEach(consumer -> consumer.cancelRunning(shutdownTimeout));

        long cancelEnd = System.nanoTime() + CANCEL_WAIT.toNanos();
        list.forEach(consumer -> consumer.awaitWorkers(cancelEnd));
        list.forEach(QueueConsumer::finishStop);
    }

    /**
     * Returns the configured adapter.
     *
     * @throws IllegalStateException naming the configured adapter and the registered ones, if it is not registered
     */
    EventQueueAdapter adapter() {
        return adapters.find(settings.queueAdapter()).orElseThrow(() -> new IllegalStateException("queue adapter '"
                + settings.queueAdapter() + "' is not registered; registered: " + adapters.names()));
    }

    String queueName(String channel) {
        return settings.scoped(channel);
    }

    JsonCodec codec() {
        return codec;
    }

    ChannelCounters counters(String channel) {
        return counters.computeIfAbsent(channel, name -> new ChannelCounters());
    }

    int nextThreadNumber(String channel) {
        return threadNumbers.computeIfAbsent(channel, name -> new AtomicInteger()).incrementAndGet();
    }

    ScheduledFuture<?> scheduleTimeout(Runnable onTimeout, long timeoutMillis) {
        return timeouts.schedule(onTimeout, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    void attemptStarted() {
        runningAttempts.incrementAndGet();
    }

    void attemptFinished() {
        runningAttempts.decrementAndGet();
    }

    private void requireOpen() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("node is stopping: the event queue of node " + settings.nodeId()
                        + " accepts no more tasks or consumers");
            }
        }
    }

    private static TaskRecord retryRecord(String channel, DeadLetter letter) {
        TaskOptions options = letter.options() == null ? TaskOptions.defaults() : letter.options();
        long publishedAt = letter.publishedAt() == null ? System.currentTimeMillis()
                : letter.publishedAt().toEpochMilli();
        return new TaskRecord(letter.taskId(), channel, letter.payloadJson().getBytes(StandardCharsets.UTF_8),
                1, options.maxRetries(), saturatedMillis(options.timeout()), saturatedMillis(options.backoff()),
                publishedAt);
    }

    /** Returns a positive duration in milliseconds, at least 1 and at most {@link Long#MAX_VALUE}. */
    private static long saturatedMillis(Duration duration) {
        try {
            return Math.max(1, duration.toMillis());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
