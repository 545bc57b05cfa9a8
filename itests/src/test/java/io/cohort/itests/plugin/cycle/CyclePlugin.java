package io.cohort.itests.plugin.cycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockManager;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.pubsub.SubscribeOptions;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.sync.SyncMessageManager;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin that the deploy-cycle test installs and uninstalls many times. Its {@code load} uses every manager
 * with a payload type private to this bundle, waits until the message and the task have been delivered, and leaves
 * its subscriptions and consumer open for the runtime to close. It records {@code cycle:loaded} or
 * {@code cycle:failed:<reason>}.
 */
@Component(service = Plugin.class, property = Plugin.NAME_PROPERTY + "=cycle")
public class CyclePlugin implements Plugin {

    public static final String EVENTS_CHANNEL = "it.cycle.events";
    public static final String TASKS_CHANNEL = "it.cycle.tasks";

    private static final long DELIVERY_TIMEOUT_SECONDS = 10;

    @Reference(target = HookRecorder.TARGET)
    private Consumer<String> recorder;

    @Reference
    private CacheManager caches;

    @Reference
    private SyncMessageManager sync;

    @Reference
    private PubSubManager pubSub;

    @Reference
    private EventQueue queue;

    @Reference
    private LockManager locks;

    @Override
    public void load(PluginContext context) throws Exception {
        CountDownLatch delivered = new CountDownLatch(2);
        pubSub.subscribe(EVENTS_CHANNEL, Payload.class, message -> delivered.countDown(),
                SubscribeOptions.defaults());
        queue.subscribe(TASKS_CHANNEL, Payload.class, (payload, task) -> delivered.countDown());
        sync.subscribe("it.cycle.sync", message -> recorder.accept("cycle:sync:" + message.payloadJson()));

        Cache cache = caches.createCache(CacheOptions.builder("it-cycle").build());
        cache.set("last", new Payload("cached", 1));
        Payload cached = cache.get("last", Payload.class).orElse(null);
        pubSub.publish(EVENTS_CHANNEL, new Payload("event", 2));
        queue.publish(TASKS_CHANNEL, new Payload("task", 3));
        sync.publish("it.cycle.sync", new Payload("sync", 4));
        Integer locked = locks.runExclusive("it.cycle.lock", () -> 5, Duration.ofSeconds(10));

        if (cached == null || cached.round() != 1) {
            recorder.accept("cycle:failed:cache returned " + cached);
        } else if (locked == null || locked != 5) {
            recorder.accept("cycle:failed:runExclusive returned " + locked);
        } else if (!delivered.await(DELIVERY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            recorder.accept("cycle:failed:" + delivered.getCount() + " of 2 deliveries missing");
        } else {
            recorder.accept("cycle:loaded");
        }
    }

    /** A payload type private to this bundle: Cohort must not keep it, or its class loader, after the bundle goes. */
    public record Payload(String text, int round) {
    }
}
