package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.api.node.PluginState;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.EventQueue;
import io.cohort.itests.plugin.holder.HolderPlugin;
import io.cohort.itests.support.CohortOptions;
import io.cohort.itests.support.CohortTestSupport;
import io.cohort.itests.support.TestPlugin;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Stopping a plugin bundle releases everything it left behind: its debounced subscription with a message still
 * waiting, its sync subscription, its queue consumer with a running task, and the lock it holds.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PluginCleanupIT extends CohortTestSupport {

    private static final String NAME = TestPlugin.HOLDER.pluginName();

    /** Keeps bundle stop short: the consumer waits this long for the blocked task before cancelling it. */
    private static final long QUEUE_SHUTDOWN_TIMEOUT_MS = 500;

    private static final List<String> RESOURCES = List.of("pubsub.subscriptions", "pubsub.debounce.pending",
            "sync.subscriptions", "queue.consumers", "queue.running", "lock.held");

    /** Tasks that the draining consumer completed, as {@code <task id>:<payload>}. */
    private final List<String> drained = new CopyOnWriteArrayList<>();

    private Subscription drain;

    @Configuration
    public Option[] config() {
        return CohortOptions.node(PluginCleanupIT.class);
    }

    @Before
    public void shortenQueueShutdown() throws Exception {
        updateNodeConfig(Map.of("queue.shutdown.timeout.ms", QUEUE_SHUTDOWN_TIMEOUT_MS));
    }

    /**
     * Stops the holder, completes the tasks that it put back in the queue, and waits until every task published in
     * this test has run to its end, so that the next test's holder starts on an empty channel.
     */
    @After
    public void drainTasks() throws Exception {
        uninstallPlugins();
        try {
            List<String> published = recorder.eventsStartingWith("holder:task:published:").stream()
                    .map(event -> event.substring("holder:task:published:".length()) + ":block")
                    .toList();
            startDrain();
            eventually(() -> assertTrue("tasks " + published + " not drained; drained " + drained,
                    drained.containsAll(published)));
        } finally {
            if (drain != null) {
                drain.close();
            }
        }
    }

    private void startDrain() {
        if (drain == null) {
            drain = service(EventQueue.class).subscribe(HolderPlugin.TASKS_CHANNEL, String.class,
                    (payload, task) -> drained.add(task.taskId() + ":" + payload));
        }
    }

    @Test(timeout = 60_000)
    public void holder_loaded_holdsOneOfEachResource() throws Exception {
        Map<String, Long> baseline = resources();

        startHolder();

        Map<String, Long> held = resources();
        assertEquals("pubsub.subscriptions", count(baseline, "pubsub.subscriptions") + 1,
                count(held, "pubsub.subscriptions"));
        assertEquals("pubsub.debounce.pending", count(baseline, "pubsub.debounce.pending") + 1,
                count(held, "pubsub.debounce.pending"));
        assertTrue("sync.subscriptions: the plugin's own and its sync hook, got " + held,
                count(held, "sync.subscriptions") >= count(baseline, "sync.subscriptions") + 1);
        assertEquals("queue.consumers", count(baseline, "queue.consumers") + 1, count(held, "queue.consumers"));
        assertEquals("queue.running", count(baseline, "queue.running") + 1, count(held, "queue.running"));
        assertEquals("lock.held", count(baseline, "lock.held") + 1, count(held, "lock.held"));
    }

    @Test(timeout = 60_000)
    public void holder_stopped_resourcesReturnToBaseline() throws Exception {
        Map<String, Long> baseline = resources();
        Bundle holder = startHolder();

        holder.stop();

        for (String resource : RESOURCES) {
            eventually(() -> assertEquals(resource + " after stop", count(baseline, resource),
                    count(resources(), resource)));
        }
    }

    @Test(timeout = 60_000)
    public void holder_stopped_lockIsFreeForAnotherBundle() throws Exception {
        Bundle holder = startHolder();
        LockManager locks = service(LockManager.class);
        assertTrue("lock is free while the holder runs", locks.tryAcquire(HolderPlugin.LOCK_KEY).isEmpty());

        holder.stop();

        Optional<LockHandle> lock = locks.tryAcquire(HolderPlugin.LOCK_KEY, Duration.ofSeconds(10));
        assertTrue("lock " + HolderPlugin.LOCK_KEY + " still held after the holder stopped", lock.isPresent());
        lock.get().release();
    }

    @Test(timeout = 60_000)
    public void holder_stopped_noConsumerThreadRemains() throws Exception {
        Bundle holder = startHolder();
        assertTrue("no consumer thread of " + HolderPlugin.TASKS_CHANNEL + " while the task runs: " + threadNames(),
                !consumerThreads().isEmpty());

        holder.stop();

        eventually(() -> assertEquals("consumer threads of " + HolderPlugin.TASKS_CHANNEL, List.of(),
                consumerThreads()));
    }

    @Test(timeout = 60_000)
    public void holder_stopped_runningTaskIsCancelled() throws Exception {
        Bundle holder = startHolder();
        String taskId = startedTaskId();

        holder.stop();

        eventually(() -> assertEquals(List.of("holder:task:interrupted:" + taskId + ":cancelled=true"),
                recorder.eventsStartingWith("holder:task:interrupted:")));
        assertEquals("attempts that ran to their end", List.of(),
                recorder.eventsStartingWith("holder:task:not-cancelled:"));
    }

    @Test(timeout = 60_000)
    public void holder_stopped_runningTaskGoesBackToQueue() throws Exception {
        Bundle holder = startHolder();
        String taskId = startedTaskId();

        holder.stop();
        startDrain();

        eventually(() -> assertTrue("task " + taskId + " not run again by the next consumer; ran " + drained,
                drained.contains(taskId + ":block")));
    }

    @Test(timeout = 60_000)
    public void holder_stopped_debouncedMessageIsDropped() throws Exception {
        Bundle holder = startHolder();

        holder.stop();

        eventually(() -> assertEquals("pending debounced messages", 0L,
                count(resources(), "pubsub.debounce.pending")));
        assertEquals("deliveries to the stopped subscription", List.of(),
                recorder.eventsStartingWith("holder:event:"));
    }

    private Bundle startHolder() throws Exception {
        Bundle holder = installPlugin(TestPlugin.HOLDER);
        awaitPluginState(holder, NAME, PluginState.LOADED);
        startedTaskId();
        return holder;
    }

    /** Waits until the holder's blocking task runs and returns its id. */
    private String startedTaskId() {
        String[] taskId = new String[1];
        eventually(() -> {
            List<String> started = recorder.eventsStartingWith("holder:task:started:");
            assertEquals("started tasks", 1, started.size());
            String event = started.get(0);
            taskId[0] = event.substring("holder:task:started:".length(), event.lastIndexOf(" on "));
        });
        return taskId[0];
    }

    private static long count(Map<String, Long> resources, String name) {
        Long count = resources.get(name);
        assertTrue("resource " + name + " missing from " + resources, count != null);
        return count;
    }

    private static List<String> consumerThreads() {
        return threadNames().stream()
                .filter(name -> name.startsWith("cohort-queue-") && name.contains(HolderPlugin.TASKS_CHANNEL))
                .toList();
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList();
    }
}
