package io.cohort.core.node;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.pubsub.SubscribeOptions;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.pubsub.BundlePubSubManager;
import io.cohort.core.pubsub.NodePubSubManager;
import io.cohort.core.queue.BundleEventQueue;
import io.cohort.core.queue.EventQueueManager;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * What a node's stop does to the queue and pub/sub managers, written once and run by one subclass per adapter kind:
 * node 0 stops while node 1 goes on.
 */
public abstract class ShutdownContract {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    @Rule
    public TestName testName = new TestName();

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Runnable> stops = new ArrayList<>();

    /** Returns the pub/sub adapter of node {@code node}, 0 or 1. */
    protected abstract PubSubAdapter pubSubAdapter(int node);

    /** Returns the event queue adapter of node {@code node}, 0 or 1. */
    protected abstract EventQueueAdapter queueAdapter(int node);

    /** Returns the name both kinds of adapters are registered under. */
    protected abstract String adapterName();

    @After
    public void stopNodes() {
        threads.shutdownNow();
        for (int i = stops.size() - 1; i >= 0; i--) {
            stops.get(i).run();
        }
    }

    @Test
    public void queueStop_taskEndingWithinTheBound_finishesOnceAndStopWaitsForIt() throws Exception {
        String channel = name("jobs");
        EventQueueManager stopping = queueManager(0);
        BundleEventQueue stoppingView = view(stopping, 0);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        List<String> done = new CopyOnWriteArrayList<>();
        stoppingView.subscribe(channel, String.class, (payload, context) -> {
            started.countDown();
            finish.await();
            done.add("node-0:" + payload);
        });
        stoppingView.publish(channel, "t1");
        assertTrue(started.await(30, TimeUnit.SECONDS));
        view(queueManager(1), 1).subscribe(channel, String.class, run(done, "node-1"));

        Future<?> stop = threads.submit(stopping::deactivate);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !stop.isDone());
        finish.countDown();
        stop.get(30, TimeUnit.SECONDS);

        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> done.size() == 1);
        assertEquals(List.of("node-0:t1"), done);
    }

    @Test
    public void queueStop_taskPastTheBound_isCancelledAndRunsOnAnotherNode() throws Exception {
        String channel = name("jobs");
        EventQueueManager stopping = queueManager(0);
        BundleEventQueue stoppingView = view(stopping, 0);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean cancelled = new AtomicBoolean();
        List<String> done = new CopyOnWriteArrayList<>();
        stoppingView.subscribe(channel, String.class, (payload, context) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                cancelled.set(true);
                throw e;
            }
        });
        stoppingView.publish(channel, "slow");
        assertTrue(started.await(30, TimeUnit.SECONDS));
        view(queueManager(1), 1).subscribe(channel, String.class, run(done, "node-1"));

        stopping.deactivate();

        assertTrue(cancelled.get());
        await().atMost(Duration.ofSeconds(30)).until(() -> done.equals(List.of("node-1:slow")));
    }

    @Test
    public void queueStop_stoppedNode_takesNoNewWork() {
        String channel = name("jobs");
        List<String> done = new CopyOnWriteArrayList<>();
        EventQueueManager stopping = queueManager(0);
        view(stopping, 0).subscribe(channel, String.class, run(done, "node-0"));
        BundleEventQueue other = view(queueManager(1), 1);

        stopping.deactivate();
        other.subscribe(channel, String.class, run(done, "node-1"));
        for (int i = 0; i < 10; i++) {
            other.publish(channel, "t" + i);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 10);
        assertTrue(done.toString(), done.stream().allMatch(task -> task.startsWith("node-1:")));
    }

    @Test
    public void publish_whileStopping_failsWithAClearError() {
        String channel = name("events");
        NodePubSubManager pubSub = pubSubManager(0);
        BundlePubSubManager pubSubView = new BundlePubSubManager(pubSub, "plugin [0]");
        EventQueueManager queue = queueManager(0);
        BundleEventQueue queueView = view(queue, 0);

        pubSub.deactivate();
        queue.deactivate();

        IllegalStateException message = assertThrows(IllegalStateException.class,
                () -> pubSubView.publish(channel, "late"));
        IllegalStateException task = assertThrows(IllegalStateException.class,
                () -> queueView.publish(channel, "late"));
        assertTrue(message.getMessage(), message.getMessage().contains("stopping"));
        assertTrue(task.getMessage(), task.getMessage().contains("stopping"));
    }

    @Test
    public void pubSubStop_pendingDebouncedDelivery_isCancelled() {
        String channel = name("events");
        NodePubSubManager stopping = pubSubManager(0);
        BundlePubSubManager view = new BundlePubSubManager(stopping, "plugin [0]");
        AtomicInteger delivered = new AtomicInteger();
        view.subscribe(channel, String.class, message -> delivered.incrementAndGet(),
                SubscribeOptions.debounce(Duration.ofMillis(300)));
        view.publish(channel, "debounced");

        stopping.deactivate();

        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> delivered.get() == 0);
    }

    @Test
    public void pluginUnload_handlerNeverRunsAfterIt() throws Exception {
        String channel = name("events");
        BundlePubSubManager plugin = new BundlePubSubManager(pubSubManager(0), "plugin [0]");
        BundlePubSubManager publisher = new BundlePubSubManager(pubSubManager(1), "plugin [1]");
        AtomicBoolean unloaded = new AtomicBoolean();
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger afterUnload = new AtomicInteger();
        plugin.subscribe(channel, Integer.class, message -> {
            delivered.incrementAndGet();
            if (unloaded.get()) {
                afterUnload.incrementAndGet();
            }
        });
        AtomicBoolean publishing = new AtomicBoolean(true);
        Future<?> stream = threads.submit(() -> {
            for (int i = 0; publishing.get() && i < 100_000; i++) {
                publisher.publish(channel, i);
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered.get() > 50);

        plugin.deactivate();
        unloaded.set(true);
        int deliveredAtUnload = delivered.get();

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> afterUnload.get() == 0);
        publishing.set(false);
        stream.get(30, TimeUnit.SECONDS);
        assertEquals(0, afterUnload.get());
        assertEquals(deliveredAtUnload, delivered.get());
    }

    private EventQueueManager queueManager(int node) {
        EventQueueManager manager = new EventQueueManager(settings(node));
        manager.addAdapter(queueAdapter(node), Map.of(Adapters.NAME_PROPERTY, adapterName()));
        stops.add(manager::deactivate);
        return manager;
    }

    private BundleEventQueue view(EventQueueManager manager, int node) {
        BundleEventQueue view = new BundleEventQueue(manager, "plugin [" + node + "]");
        stops.add(view::deactivate);
        return view;
    }

    private NodePubSubManager pubSubManager(int node) {
        NodePubSubManager manager = new NodePubSubManager(settings(node));
        manager.addAdapter(pubSubAdapter(node), Map.of(Adapters.NAME_PROPERTY, adapterName()));
        stops.add(manager::deactivate);
        return manager;
    }

    private NodeSettings settings(int node) {
        return new NodeSettings("shop", "node-" + node, Path.of("target"), Adapters.MEMORY, adapterName(),
                adapterName(), Adapters.MEMORY, SHUTDOWN_TIMEOUT);
    }

    private static TaskConsumer<String> run(List<String> done, String node) {
        return (payload, context) -> done.add(node + ":" + payload);
    }

    private String name(String kind) {
        return kind + "-" + testName.getMethodName().replace('_', '-') + "-" + UNIQUE.incrementAndGet();
    }
}
