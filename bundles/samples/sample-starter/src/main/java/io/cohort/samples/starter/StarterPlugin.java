package io.cohort.samples.starter;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockManager;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.Message;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskContext;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.sync.SyncMessage;
import io.cohort.api.sync.SyncMessageManager;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small plugin that uses each of the five Cohort services once, as a starting point for your own.
 *
 * <p>Greeting someone ({@link #greet}) walks through all of them: the greeting text comes from a cache with a ttl
 * ({@link CacheManager}), an application-wide greeting count is updated under a lock ({@link LockManager}), the
 * greeting is published to every node ({@link PubSubManager}), a delivery job is queued for one consumer
 * ({@link EventQueue}), and the other nodes receive a sync message about it ({@link SyncMessageManager}).
 *
 * <p>The plugin is a DS component that provides {@link Plugin} with the service property
 * {@code cohort.plugin.name=starter}, and the runtime finds it by that service. Each manager reference receives an
 * instance for this bundle, so whatever the plugin subscribes or holds is released when the bundle stops, even if
 * {@link #unload} forgets something.
 */
@Component(service = {Plugin.class, StarterPlugin.class}, property = Plugin.NAME_PROPERTY + "=" + StarterPlugin.NAME)
public class StarterPlugin implements Plugin {

    /** The plugin name. */
    static final String NAME = "starter";

    /** Pub/sub channel on which every node receives every greeting. */
    static final String GREETINGS_CHANNEL = "starter.greetings";

    /** Queue channel of greeting deliveries. Each job runs on one node. */
    static final String JOBS_CHANNEL = "starter.jobs";

    /** Sync channel that notifies the other nodes of each greeting made on this node. */
    static final String GREETED_SYNC_CHANNEL = "starter.greeted";

    private static final Logger LOG = LoggerFactory.getLogger(StarterPlugin.class);
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String COUNT_KEY = "greetings";
    private static final String COUNT_LOCK = "starter.greeting-count";
    private static final Duration COUNT_LOCK_TTL = Duration.ofSeconds(10);
    private static final Duration GREETING_TTL = Duration.ofMinutes(10);

    @Reference
    private CacheManager cacheManager;

    @Reference
    private PubSubManager pubSub;

    @Reference
    private EventQueue queue;

    @Reference
    private LockManager locks;

    @Reference
    private SyncMessageManager syncMessages;

    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder greetingsReceived = new LongAdder();
    private final LongAdder jobsDone = new LongAdder();
    private final LongAdder syncReceived = new LongAdder();

    private volatile Cache greetingTexts;
    private volatile Cache counters;
    private volatile Subscription greetingSubscription;
    private volatile Subscription jobSubscription;
    private volatile Subscription greetedSubscription;
    private volatile PluginContext context;

    /** Creates the caches and subscribes, so that nothing published once the plugin is loaded is missed. */
    @Override
    public void beforeLoad(PluginContext pluginContext) {
        greetingTexts = cacheManager.createCache(CacheOptions.builder("starter.greetings").ttl(GREETING_TTL).build());
        counters = cacheManager.createCache(CacheOptions.builder("starter.counters").build());
        greetingSubscription = pubSub.subscribe(GREETINGS_CHANNEL, Greeting.class, this::onGreeting);
        jobSubscription = queue.subscribe(JOBS_CHANNEL, GreetingJob.class, new DeliveryConsumer());
        greetedSubscription = syncMessages.subscribe(GREETED_SYNC_CHANNEL, this::onGreetedElsewhere);
    }

    /** Sends a sync message to the plugin's copies on the other nodes to announce that it runs here. */
    @Override
    public void load(PluginContext pluginContext) {
        context = pluginContext;
        pluginContext.sendSync("loaded", new NodeLoaded(pluginContext.nodeId(), Instant.now()));
        LOG.info("Starter plugin loaded on node {} of application {}", pluginContext.nodeId(),
                pluginContext.appName());
    }

    /** Closes the subscriptions, which the managers would also release once the bundle stops. */
    @Override
    public void unload(PluginContext pluginContext) {
        context = null;
        closeIfOpen(greetingSubscription);
        closeIfOpen(jobSubscription);
        closeIfOpen(greetedSubscription);
        LOG.info("Starter plugin unloaded on node {}: {} greetings received, {} jobs done", pluginContext.nodeId(),
                greetingsReceived.sum(), jobsDone.sum());
    }

    /** Receives what {@link #load} sent on another node. Sync messages never come back to the sending node. */
    @Override
    public void handleSyncMessage(SyncMessage message) {
        syncReceived.increment();
        LOG.info("Starter plugin on node {} says hello on channel {}: {}", message.sourceNode(), message.channel(),
                message.payloadJson());
    }

    /**
     * Greets {@code name} using all five services, and returns the greeting with its application-wide number.
     *
     * @throws IllegalArgumentException if the name is not 1 to 64 letters, digits, '.', '_' or '-'
     * @throws IllegalStateException if the plugin is not loaded
     */
    public String greet(String name) throws Exception {
        PluginContext current = requireLoaded();
        if (name == null || !VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name '" + name + "' is invalid; use 1 to 64 letters, digits, "
                    + "'.', '_' or '-'");
        }

        String text = greetingText(name);
        long number = locks.runExclusive(COUNT_LOCK, this::incrementCount, COUNT_LOCK_TTL);
        Greeting greeting = new Greeting(name, text, current.nodeId());
        pubSub.publish(GREETINGS_CHANNEL, greeting);
        queue.publish(JOBS_CHANNEL, new GreetingJob(name, number),
                TaskOptions.defaults().withTimeout(Duration.ofSeconds(30)).withMaxRetries(2));
        syncMessages.publish(GREETED_SYNC_CHANNEL, greeting);

        return text + " (greeting #" + number + ")";
    }

    /** Returns what the plugin did on this node, one {@code label: value} line each. */
    public String status() {
        PluginContext current = context;
        Cache counts = counters;
        long greetings = counts == null ? 0 : counts.get(COUNT_KEY, Long.class).orElse(0L);
        StringBuilder text = new StringBuilder();
        text.append(current == null
                ? "Plugin starter: not loaded\n"
                : "Plugin starter on node " + current.nodeId() + " of application " + current.appName()
                        + ": loaded\n");
        line(text, "greetings (all nodes)", greetings);
        line(text, "cache hits", cacheHits.sum());
        line(text, "cache misses", cacheMisses.sum());
        line(text, "messages received", greetingsReceived.sum());
        line(text, "jobs done", jobsDone.sum());
        line(text, "sync messages received", syncReceived.sum());
        return text.toString();
    }

    /**
     * Returns the cached greeting text, computing it on a miss. The loader runs at most once per name on this node
     * at a time, and its result stays cached for {@link #GREETING_TTL}.
     */
    private String greetingText(String name) {
        AtomicBoolean computed = new AtomicBoolean();
        String text = greetingTexts.wrap("text:" + name, String.class, () -> {
            computed.set(true);
            return "Hello, " + name + "!";
        });
        if (computed.get()) {
            cacheMisses.increment();
        } else {
            cacheHits.increment();
        }
        return text;
    }

    /**
     * Adds one to the shared greeting count. The read and the write are two cache calls, so without the lock two
     * nodes greeting at once could both read 4 and both write 5.
     */
    private long incrementCount() {
        long next = counters.get(COUNT_KEY, Long.class).orElse(0L) + 1;
        counters.set(COUNT_KEY, next);
        return next;
    }

    private void onGreeting(Message<Greeting> message) {
        greetingsReceived.increment();
        LOG.debug("Received greeting {} for {} from node {}", message.id(), message.payload().name(),
                message.sourceNode());
    }

    private void onGreetedElsewhere(SyncMessage message) {
        syncReceived.increment();
        Greeting greeting = message.payload(Greeting.class);
        LOG.info("Node {} greeted {}", greeting.nodeId(), greeting.name());
    }

    private PluginContext requireLoaded() {
        PluginContext current = context;
        if (current == null) {
            throw new IllegalStateException("plugin starter is not loaded; see cohort:plugins for its state");
        }
        return current;
    }

    private static void line(StringBuilder text, String label, long value) {
        text.append(String.format("  %-24s %d", label + ":", value)).append('\n');
    }

    private static void closeIfOpen(Subscription subscription) {
        if (subscription != null) {
            subscription.close();
        }
    }

    /** Delivers greetings from the queue. Each job runs on one node, with up to 2 retries. */
    private final class DeliveryConsumer implements TaskConsumer<GreetingJob> {

        @Override
        public void process(GreetingJob job, TaskContext task) {
            jobsDone.increment();
            LOG.debug("Delivered greeting #{} to {} (task {}, attempt {})", job.number(), job.name(), task.taskId(),
                    task.attempt());
        }
    }
}
