package io.cohort.core.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.QueueRole;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * Worker roles ({@code queue.consume}): a node runs the tasks of the channels its role names and publishes to every
 * channel. Written once and run by one subclass per queue adapter kind.
 */
public abstract class QueueRoleContract {

    private static final AtomicInteger UNIQUE = new AtomicInteger();

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    @Rule
    public TestName testName = new TestName();

    private final List<Runnable> stops = new ArrayList<>();

    /** Returns the event queue adapter of node {@code node}, 0 to 2. */
    protected abstract EventQueueAdapter queueAdapter(int node);

    /** Returns the name the adapters are registered under. */
    protected abstract String adapterName();

    @After
    public void stopNodes() {
        for (int i = stops.size() - 1; i >= 0; i--) {
            stops.get(i).run();
        }
    }

    @Test
    public void publish_fromNodeConsumingNothing_runsOnConsumingNodeOnly() {
        String channel = name("jobs");
        List<String> ranOnPublisher = new CopyOnWriteArrayList<>();
        List<String> ranOnWorker = new CopyOnWriteArrayList<>();
        List<String> ranOnOtherRole = new CopyOnWriteArrayList<>();
        BundleEventQueue publisher = queue(0, QueueRole.NONE);
        publisher.subscribe(channel, String.class, run(ranOnPublisher));
        queue(1, QueueRole.parse("unrelated," + channel)).subscribe(channel, String.class, run(ranOnWorker));
        queue(2, QueueRole.parse("unrelated")).subscribe(channel, String.class, run(ranOnOtherRole));

        for (int i = 0; i < 30; i++) {
            publisher.publish(channel, "task-" + i);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> ranOnWorker.size() == 30);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> ranOnWorker.size() == 30);
        assertEquals(List.of(), ranOnPublisher);
        assertEquals(List.of(), ranOnOtherRole);
    }

    @Test
    public void subscribe_onNodeConsumingNothing_startsNoWorker() {
        String channel = name("jobs");
        EventQueueManager manager = manager(0, QueueRole.NONE);
        BundleEventQueue queue = view(manager, 0);

        Subscription subscription = queue.subscribe(channel, String.class, run(new CopyOnWriteArrayList<>()));

        assertEquals(Long.valueOf(1), manager.resourceCounts().get("queue.consumers"));
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().startsWith("cohort-queue-" + channel + "-")));
        subscription.close();
        assertEquals(Long.valueOf(0), manager.resourceCounts().get("queue.consumers"));
    }

    @Test
    public void role_parse_readsTheSetting() {
        assertEquals("all", QueueRole.parse("all").describe());
        assertEquals("none", QueueRole.parse("none").describe());
        assertEquals("none", QueueRole.parse(" ").describe());
        assertEquals("a,b", QueueRole.parse("b, a").describe());
        assertTrue(QueueRole.parse("a,b").consumes("b"));
        assertFalse(QueueRole.parse("a,b").consumes("c"));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> QueueRole.parse("a,,b"));
        assertEquals("queue.consume 'a,,b' has an empty channel name; expected all, none or channel names separated "
                + "by single commas", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QueueRole.parse("a,"));
        assertThrows(IllegalArgumentException.class, () -> QueueRole.parse("bad channel"));
    }

    private BundleEventQueue queue(int node, QueueRole role) {
        return view(manager(node, role), node);
    }

    private EventQueueManager manager(int node, QueueRole role) {
        EventQueueManager manager = new EventQueueManager(new NodeSettings("shop", "node-" + node, Path.of("target"),
                Adapters.MEMORY, Adapters.MEMORY, adapterName(), Adapters.MEMORY, Duration.ofSeconds(5), role));
        manager.addAdapter(queueAdapter(node), Map.of(Adapters.NAME_PROPERTY, adapterName()));
        stops.add(manager::deactivate);
        return manager;
    }

    private BundleEventQueue view(EventQueueManager manager, int node) {
        BundleEventQueue view = new BundleEventQueue(manager, "plugin [" + node + "]");
        stops.add(view::deactivate);
        return view;
    }

    private static TaskConsumer<String> run(List<String> ran) {
        return (payload, context) -> ran.add(payload);
    }

    private String name(String kind) {
        return kind + "-" + testName.getMethodName().replace('_', '-') + "-" + UNIQUE.incrementAndGet();
    }
}
