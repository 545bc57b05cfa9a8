package io.cohort.core.node;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.pubsub.MessageHandler;
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
 * Two applications ({@code shop} and {@code books}) on the same adapters never see each other's channels or queues,
 * written once and run by one subclass per adapter kind. The cache, counter and lock contracts check the same for
 * caches, counters and locks.
 */
public abstract class ApplicationIsolationContract {

    private static final AtomicInteger UNIQUE = new AtomicInteger();

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    @Rule
    public TestName testName = new TestName();

    private final List<Runnable> stops = new ArrayList<>();

    /** Returns the pub/sub adapter of node {@code node}, 0 to 2. */
    protected abstract PubSubAdapter pubSubAdapter(int node);

    /** Returns the event queue adapter of node {@code node}, 0 to 2. */
    protected abstract EventQueueAdapter queueAdapter(int node);

    /** Returns the name both kinds of adapters are registered under. */
    protected abstract String adapterName();

    @After
    public void stopNodes() {
        for (int i = stops.size() - 1; i >= 0; i--) {
            stops.get(i).run();
        }
    }

    @Test
    public void channels_sameNameInTwoApplications_deliverOnlyWithinEach() {
        String channel = name("channel");
        List<String> shopReceived = new CopyOnWriteArrayList<>();
        List<String> booksReceived = new CopyOnWriteArrayList<>();
        pubSub(0, "shop").subscribe(channel, String.class, collect(shopReceived));
        pubSub(1, "books").subscribe(channel, String.class, collect(booksReceived));
        BundlePubSubManager shopPublisher = pubSub(2, "shop");
        BundlePubSubManager booksPublisher = pubSub(2, "books");

        shopPublisher.publish(channel, "from shop");
        booksPublisher.publish(channel, "from books");

        await().atMost(Duration.ofSeconds(20)).until(() -> shopReceived.contains("from shop")
                && booksReceived.contains("from books"));
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                .until(() -> shopReceived.size() == 1 && booksReceived.size() == 1);
        assertEquals(List.of("from shop"), shopReceived);
        assertEquals(List.of("from books"), booksReceived);
    }

    @Test
    public void queues_sameChannelInTwoApplications_runTasksOnlyWithinEach() {
        String channel = name("queue");
        List<String> shopRan = new CopyOnWriteArrayList<>();
        List<String> booksRan = new CopyOnWriteArrayList<>();
        queue(0, "books").subscribe(channel, String.class, run(booksRan));
        queue(1, "shop").subscribe(channel, String.class, run(shopRan));
        BundleEventQueue shopPublisher = queue(2, "shop");
        BundleEventQueue booksPublisher = queue(2, "books");

        for (int i = 0; i < 20; i++) {
            shopPublisher.publish(channel, "shop-" + i);
        }
        booksPublisher.publish(channel, "books-0");

        await().atMost(Duration.ofSeconds(30)).until(() -> shopRan.size() == 20 && booksRan.size() == 1);
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                .until(() -> shopRan.size() == 20 && booksRan.size() == 1);
        assertTrue(shopRan.stream().allMatch(task -> task.startsWith("shop-")));
        assertEquals(List.of("books-0"), booksRan);
        assertEquals(List.of(), booksPublisher.deadLetters(channel));
    }

    private BundlePubSubManager pubSub(int node, String app) {
        NodePubSubManager manager = new NodePubSubManager(settings(node, app));
        manager.addAdapter(pubSubAdapter(node), Map.of(Adapters.NAME_PROPERTY, adapterName()));
        BundlePubSubManager view = new BundlePubSubManager(manager, "plugin [" + node + "]");
        stops.add(manager::deactivate);
        stops.add(view::deactivate);
        return view;
    }

    private BundleEventQueue queue(int node, String app) {
        EventQueueManager manager = new EventQueueManager(settings(node, app));
        manager.addAdapter(queueAdapter(node), Map.of(Adapters.NAME_PROPERTY, adapterName()));
        BundleEventQueue view = new BundleEventQueue(manager, "plugin [" + node + "]");
        stops.add(manager::deactivate);
        stops.add(view::deactivate);
        return view;
    }

    private NodeSettings settings(int node, String app) {
        return new NodeSettings(app, app + "-node-" + node, Path.of("target"), Adapters.MEMORY, adapterName(),
                adapterName(), Adapters.MEMORY, Duration.ofSeconds(5));
    }

    private static MessageHandler<String> collect(List<String> received) {
        return message -> received.add(message.payload());
    }

    private static TaskConsumer<String> run(List<String> ran) {
        return (payload, context) -> ran.add(payload);
    }

    private String name(String kind) {
        return kind + "-" + testName.getMethodName().replace('_', '-') + "-" + UNIQUE.incrementAndGet();
    }
}
