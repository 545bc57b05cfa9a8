package io.cohort.itests.plugin.managers;

import java.time.Duration;
import java.util.function.Consumer;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockManager;
import io.cohort.api.node.CohortNode;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.sync.SyncMessageManager;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin that references all five managers, records its hooks and uses each manager once in {@code load}.
 * Each event goes to the recorder service that the test registers, as {@code <source>:<detail>}.
 */
@Component(service = Plugin.class, property = Plugin.NAME_PROPERTY + "=" + ManagersPlugin.NAME)
public class ManagersPlugin implements Plugin {

    public static final String NAME = "managers";
    public static final String EVENTS_CHANNEL = "it.managers.events";
    public static final String TASKS_CHANNEL = "it.managers.tasks";
    public static final String LOCK_KEY = "it.managers.lock";

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

    @Reference
    private CohortNode node;

    @Override
    public void beforeLoad(PluginContext context) {
        recorder.accept("managers:beforeLoad");
        recorder.accept("managers:injected=" + countInjected());
        recorder.accept("managers:beforeLoad.sync.subscriptions=" + syncSubscriptions());
        pubSub.subscribe(EVENTS_CHANNEL, Greeting.class,
                message -> recorder.accept("pubsub:" + message.payload().text() + " from " + message.sourceNode()));
        queue.subscribe(TASKS_CHANNEL, Greeting.class,
                (payload, task) -> recorder.accept("queue:" + payload.text() + " attempt " + task.attempt()));
    }

    @Override
    public void load(PluginContext context) throws Exception {
        recorder.accept("managers:load");
        recorder.accept("managers:load.sync.subscriptions=" + syncSubscriptions());
        recorder.accept("context:" + context.pluginName() + "/" + context.appName() + "/" + context.nodeId());

        Cache cache = caches.createCache(CacheOptions.builder("it-managers").build());
        cache.set("greeting", new Greeting("hello", 1));
        recorder.accept("cache:" + cache.get("greeting", Greeting.class).map(Greeting::text).orElse("(missing)"));

        pubSub.publish(EVENTS_CHANNEL, new Greeting("ping", 2));
        queue.publish(TASKS_CHANNEL, new Greeting("work", 3));

        String result = locks.runExclusive(LOCK_KEY, () -> "inside", Duration.ofSeconds(10));
        recorder.accept("lock:" + result);
        sync.publish("it.managers.sync", new Greeting("changed", 4));
    }

    @Override
    public void unload(PluginContext context) {
        recorder.accept("managers:unload");
    }

    private int countInjected() {
        Object[] managers = {caches, sync, pubSub, queue, locks};
        int count = 0;
        for (Object manager : managers) {
            if (manager != null) {
                count++;
            }
        }
        return count;
    }

    private Long syncSubscriptions() {
        return node.resources().get("sync.subscriptions");
    }

    /** A payload type private to this bundle, so Jackson reads it through the plugin's class space. */
    public record Greeting(String text, int number) {
    }
}
