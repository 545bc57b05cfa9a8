package io.cohort.itests.plugin.holder;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.pubsub.SubscribeOptions;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.queue.TaskContext;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.sync.SyncMessageManager;
import io.cohort.itests.support.HookRecorder;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin that takes one of every resource in {@code load} and never gives any back, so that only the runtime's
 * cleanup on bundle stop can release them: a debounced subscription with a message waiting in its window, a sync
 * subscription, a queue consumer running a task that blocks until it is cancelled, and a held lock.
 */
@Component(service = Plugin.class, property = Plugin.NAME_PROPERTY + "=holder")
public class HolderPlugin implements Plugin {

    public static final String EVENTS_CHANNEL = "it.holder.events";
    public static final String SYNC_CHANNEL = "it.holder.sync";
    public static final String TASKS_CHANNEL = "it.holder.tasks";
    public static final String LOCK_KEY = "it.holder.lock";

    /** Long enough that the debounced message is still waiting when the test stops the bundle. */
    private static final Duration DEBOUNCE_WINDOW = Duration.ofMinutes(10);

    /** Short, so that a task cancelled by the bundle stop is soon available again to the test's consumer. */
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(50);

    /** Upper bound of a blocked task, so a runtime that never cancels it cannot hang the test JVM. */
    private static final long MAX_TASK_SECONDS = 120;

    @Reference(target = HookRecorder.TARGET)
    private Consumer<String> recorder;

    @Reference
    private PubSubManager pubSub;

    @Reference
    private SyncMessageManager sync;

    @Reference
    private EventQueue queue;

    @Reference
    private LockManager locks;

    /** Held on purpose until the bundle stops. */
    @SuppressWarnings("unused")
    private LockHandle lock;

    @Override
    public void load(PluginContext context) throws Exception {
        pubSub.subscribe(EVENTS_CHANNEL, String.class, message -> recorder.accept("holder:event:" + message.payload()),
                SubscribeOptions.debounce(DEBOUNCE_WINDOW));
        pubSub.publish(EVENTS_CHANNEL, "pending");
        sync.subscribe(SYNC_CHANNEL, message -> recorder.accept("holder:sync:" + message.payloadJson()));
        queue.subscribe(TASKS_CHANNEL, String.class, this::blockUntilCancelled);
        String taskId = queue.publish(TASKS_CHANNEL, "block", TaskOptions.defaults().withBackoff(RETRY_BACKOFF));
        recorder.accept("holder:task:published:" + taskId);
        lock = locks.acquire(LOCK_KEY, Duration.ofMinutes(10));
        recorder.accept("holder:load");
    }

    private void blockUntilCancelled(String payload, TaskContext task) throws InterruptedException {
        recorder.accept("holder:task:started:" + task.taskId() + " on " + Thread.currentThread().getName());
        try {
            new CountDownLatch(1).await(MAX_TASK_SECONDS, TimeUnit.SECONDS);
            recorder.accept("holder:task:not-cancelled:" + task.taskId());
        } catch (InterruptedException e) {
            recorder.accept("holder:task:interrupted:" + task.taskId() + ":cancelled=" + task.isCancelled());
            throw e;
        }
    }
}
