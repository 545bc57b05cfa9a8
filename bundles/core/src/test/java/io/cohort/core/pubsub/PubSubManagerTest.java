package io.cohort.core.pubsub;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.startsWith;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.cohort.api.pubsub.Delivery;
import io.cohort.api.pubsub.Message;
import io.cohort.api.pubsub.PublishOptions;
import io.cohort.api.pubsub.SubscribeOptions;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.memory.MemoryPubSubAdapter;
import io.cohort.core.node.NodeSettings;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class PubSubManagerTest {

    /** Long enough that 50 publishes from one thread land inside one window even on a slow machine. */
    private static final Duration DEBOUNCE = Duration.ofSeconds(2);

    /** How long a test watches for a delivery that must not happen. */
    private static final Duration QUIET = Duration.ofMillis(400);

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    private final LocalBus bus = new LocalBus();
    private final List<NodePubSubManager> nodes = new ArrayList<>();

    record Order(String id, int quantity) {
    }

    @After
    public void stopNodes() {
        nodes.forEach(NodePubSubManager::deactivate);
    }

    @Test
    public void publishOptions_defaults_skipSelfOff() {
        assertEquals(Delivery.ALL, PublishOptions.defaults().delivery());
    }

    @Test
    public void publish_defaults_reachesSameNode() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        List<Message<Order>> received = new CopyOnWriteArrayList<>();
        pubsub.subscribe("orders", Order.class, received::add);

        pubsub.publish("orders", new Order("o-1", 3));

        await().until(() -> received.size() == 1);
        Message<Order> message = received.get(0);
        assertEquals(new Order("o-1", 3), message.payload());
        assertEquals("orders", message.channel());
        assertEquals("n1", message.sourceNode());
    }

    @Test
    public void publish_all_reachesBothNodes() {
        BundlePubSubManager first = view(node("n1"), "bundle-a");
        BundlePubSubManager second = view(node("n2"), "bundle-a");
        AtomicInteger local = new AtomicInteger();
        AtomicInteger remote = new AtomicInteger();
        first.subscribe("orders", Order.class, m -> local.incrementAndGet());
        second.subscribe("orders", Order.class, m -> remote.incrementAndGet());

        first.publish("orders", new Order("o-1", 1), PublishOptions.defaults());

        await().until(() -> local.get() == 1 && remote.get() == 1);
    }

    @Test
    public void publish_skipSelf_reachesOtherNodeOnly() {
        BundlePubSubManager first = view(node("n1"), "bundle-a");
        BundlePubSubManager second = view(node("n2"), "bundle-a");
        AtomicInteger local = new AtomicInteger();
        AtomicInteger remote = new AtomicInteger();
        first.subscribe("orders", Order.class, m -> local.incrementAndGet());
        second.subscribe("orders", Order.class, m -> remote.incrementAndGet());

        first.publish("orders", new Order("o-1", 1), PublishOptions.skipSelf());

        await().until(() -> remote.get() == 1);
        await().during(QUIET).until(() -> local.get() == 0);
    }

    @Test
    public void publish_onlySelf_reachesSameNodeOnly() {
        BundlePubSubManager first = view(node("n1"), "bundle-a");
        BundlePubSubManager second = view(node("n2"), "bundle-a");
        AtomicInteger local = new AtomicInteger();
        AtomicInteger remote = new AtomicInteger();
        first.subscribe("orders", Order.class, m -> local.incrementAndGet());
        second.subscribe("orders", Order.class, m -> remote.incrementAndGet());

        first.publish("orders", new Order("o-1", 1), PublishOptions.onlySelf());

        await().until(() -> local.get() == 1);
        await().during(QUIET).until(() -> remote.get() == 0);
    }

    @Test
    public void publish_onlySelfNoAdapter_reachesSameNode() {
        NodePubSubManager node = new NodePubSubManager(settings("n1"));
        nodes.add(node);
        BundlePubSubManager pubsub = view(node, "bundle-a");
        AtomicInteger received = new AtomicInteger();
        pubsub.subscribe("orders", Order.class, m -> received.incrementAndGet());

        pubsub.publish("orders", new Order("o-1", 1), PublishOptions.onlySelf());

        await().until(() -> received.get() == 1);
    }

    @Test
    public void publish_tenThousand_keepsPublishOrder() {
        BundlePubSubManager first = view(node("n1"), "bundle-a");
        BundlePubSubManager second = view(node("n2"), "bundle-a");
        List<Integer> local = new CopyOnWriteArrayList<>();
        List<Integer> remote = new CopyOnWriteArrayList<>();
        first.subscribe("numbers", Integer.class, m -> local.add(m.payload()));
        second.subscribe("numbers", Integer.class, m -> remote.add(m.payload()));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            expected.add(i);
        }

        for (int i = 0; i < 10_000; i++) {
            first.publish("numbers", i);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> local.size() == 10_000 && remote.size() == 10_000);
        assertEquals(expected, local);
        assertEquals(expected, remote);
    }

    @Test
    public void handler_runsOnDeliveryThread() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        List<String> threads = new CopyOnWriteArrayList<>();
        pubsub.subscribe("orders", Order.class, m -> threads.add(Thread.currentThread().getName()));

        pubsub.publish("orders", new Order("o-1", 1));

        await().until(() -> threads.size() == 1);
        assertThat(threads.get(0), startsWith("cohort-pubsub-n1-"));
    }

    @Test
    public void debounce_fiftyIdentical_onePerSubscriber() {
        NodePubSubManager node = node("n1");
        BundlePubSubManager publisher = view(node, "bundle-p");
        List<AtomicInteger> deliveries = List.of(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
        for (int i = 0; i < deliveries.size(); i++) {
            AtomicInteger count = deliveries.get(i);
            view(node, "bundle-" + i).subscribe("prices", Order.class, m -> count.incrementAndGet(),
                    SubscribeOptions.debounce(DEBOUNCE));
        }

        for (int i = 0; i < 50; i++) {
            publisher.publish("prices", new Order("o-1", 5));
        }

        await().until(() -> deliveries.stream().allMatch(count -> count.get() == 1));
        await().during(QUIET).until(() -> deliveries.stream().allMatch(count -> count.get() == 1));
        ChannelCounters.Counts counts = node.channelCounts().get("prices");
        assertEquals(3, counts.delivered());
        assertEquals(3 * 49, counts.dropped());
        assertEquals(0L, (long) node.resourceCounts().get("pubsub.debounce.pending"));
    }

    @Test
    public void debounce_differentMessages_allDelivered() {
        NodePubSubManager node = node("n1");
        BundlePubSubManager pubsub = view(node, "bundle-a");
        List<Integer> received = new CopyOnWriteArrayList<>();
        pubsub.subscribe("prices", Order.class, m -> received.add(m.payload().quantity()),
                SubscribeOptions.debounce(Duration.ofMillis(200)));

        for (int i = 0; i < 5; i++) {
            pubsub.publish("prices", new Order("o-1", i));
        }

        await().until(() -> received.size() == 5);
        assertEquals(List.of(0, 1, 2, 3, 4), received);
        assertEquals(0, node.channelCounts().get("prices").dropped());
    }

    @Test
    public void debounce_afterWindow_deliveredAgain() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        AtomicInteger received = new AtomicInteger();
        pubsub.subscribe("prices", Order.class, m -> received.incrementAndGet(),
                SubscribeOptions.debounce(Duration.ofMillis(100)));

        pubsub.publish("prices", new Order("o-1", 1));
        await().until(() -> received.get() == 1);
        pubsub.publish("prices", new Order("o-1", 1));

        await().until(() -> received.get() == 2);
    }

    @Test
    public void debounce_remoteMessages_collapsed() {
        BundlePubSubManager first = view(node("n1"), "bundle-a");
        BundlePubSubManager second = view(node("n2"), "bundle-a");
        AtomicInteger received = new AtomicInteger();
        second.subscribe("prices", Order.class, m -> received.incrementAndGet(),
                SubscribeOptions.debounce(DEBOUNCE));

        for (int i = 0; i < 10; i++) {
            first.publish("prices", new Order("o-1", 1));
        }

        await().until(() -> received.get() == 1);
        await().during(QUIET).until(() -> received.get() == 1);
    }

    @Test
    public void close_subscription_stopsDelivery() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        AtomicInteger received = new AtomicInteger();
        Subscription subscription = pubsub.subscribe("orders", Order.class, m -> received.incrementAndGet());
        pubsub.publish("orders", new Order("o-1", 1));
        await().until(() -> received.get() == 1);

        subscription.close();
        pubsub.publish("orders", new Order("o-2", 1));

        assertFalse(subscription.isActive());
        await().during(QUIET).until(() -> received.get() == 1);
    }

    @Test
    public void close_pendingDebounce_dropped() {
        NodePubSubManager node = node("n1");
        BundlePubSubManager pubsub = view(node, "bundle-a");
        AtomicInteger received = new AtomicInteger();
        Subscription subscription = pubsub.subscribe("prices", Order.class, m -> received.incrementAndGet(),
                SubscribeOptions.debounce(Duration.ofMillis(300)));
        pubsub.publish("prices", new Order("o-1", 1));
        assertEquals(1L, (long) node.resourceCounts().get("pubsub.debounce.pending"));

        pubsub.unsubscribe(subscription);

        assertEquals(0L, (long) node.resourceCounts().get("pubsub.debounce.pending"));
        assertEquals(1, node.channelCounts().get("prices").dropped());
        await().during(Duration.ofMillis(600)).until(() -> received.get() == 0);
    }

    @Test
    public void close_duringHandler_waitsThenStops() throws Exception {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Subscription subscription = pubsub.subscribe("orders", Order.class, m -> {
            calls.incrementAndGet();
            entered.countDown();
            release.await();
        });
        pubsub.publish("orders", new Order("o-1", 1));
        pubsub.publish("orders", new Order("o-2", 1));
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        CompletableFuture<Void> closing = CompletableFuture.runAsync(subscription::close);
        await().during(QUIET).until(() -> !closing.isDone());
        release.countDown();
        closing.get(10, TimeUnit.SECONDS);

        assertEquals(1, calls.get());
        await().during(QUIET).until(() -> calls.get() == 1);
    }

    @Test
    public void close_insideHandler_stopsLaterCalls() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        AtomicInteger calls = new AtomicInteger();
        Subscription[] self = new Subscription[1];
        CountDownLatch subscribed = new CountDownLatch(1);
        self[0] = pubsub.subscribe("orders", Order.class, m -> {
            subscribed.await();
            calls.incrementAndGet();
            self[0].close();
        });
        subscribed.countDown();

        pubsub.publish("orders", new Order("o-1", 1));
        pubsub.publish("orders", new Order("o-2", 1));

        await().until(() -> !self[0].isActive());
        await().during(QUIET).until(() -> calls.get() == 1);
    }

    @Test
    public void close_beforeArrival_handlerNeverCalled() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        AtomicInteger calls = new AtomicInteger();
        Subscription subscription = pubsub.subscribe("orders", Order.class, m -> calls.incrementAndGet());

        subscription.close();
        subscription.close();
        pubsub.publish("orders", new Order("o-1", 1));

        await().during(QUIET).until(() -> calls.get() == 0);
    }

    @Test
    public void decodeFailure_counted_laterDelivered() {
        NodePubSubManager node = node("n1");
        BundlePubSubManager pubsub = view(node, "bundle-a");
        List<Order> received = new CopyOnWriteArrayList<>();
        pubsub.subscribe("orders", Order.class, m -> received.add(m.payload()));

        pubsub.publish("orders", "not an order");
        pubsub.publish("orders", new Order("o-2", 2));

        await().until(() -> received.size() == 1);
        assertEquals(new Order("o-2", 2), received.get(0));
        assertEquals(1, node.channelCounts().get("orders").failed());
    }

    @Test
    public void handlerException_counted_laterDelivered() {
        NodePubSubManager node = node("n1");
        BundlePubSubManager pubsub = view(node, "bundle-a");
        List<String> handled = new CopyOnWriteArrayList<>();
        pubsub.subscribe("orders", Order.class, m -> {
            if (m.payload().quantity() == 0) {
                throw new IllegalStateException("handler failure for the test");
            }
            handled.add(m.payload().id());
        });

        pubsub.publish("orders", new Order("o-1", 0));
        pubsub.publish("orders", new Order("o-2", 1));
        pubsub.publish("orders", new Order("o-3", 0));
        pubsub.publish("orders", new Order("o-4", 1));

        await().until(() -> handled.size() == 2);
        assertEquals(List.of("o-2", "o-4"), handled);
        ChannelCounters.Counts counts = node.channelCounts().get("orders");
        assertEquals(2, counts.failed());
        assertEquals(2, counts.delivered());
        assertEquals(4, counts.published());
    }

    @Test
    public void deactivate_bundleView_closesOwnOnly() {
        NodePubSubManager node = node("n1");
        BundlePubSubManager leaving = view(node, "bundle-leaving");
        BundlePubSubManager staying = view(node, "bundle-staying");
        AtomicInteger leavingCalls = new AtomicInteger();
        AtomicInteger stayingCalls = new AtomicInteger();
        Subscription closedWithView = leaving.subscribe("orders", Order.class, m -> leavingCalls.incrementAndGet());
        leaving.subscribe("prices", Order.class, m -> leavingCalls.incrementAndGet(),
                SubscribeOptions.debounce(Duration.ofSeconds(5)));
        leaving.publish("prices", new Order("o-1", 1));
        Subscription otherView = staying.subscribe("orders", Order.class, m -> stayingCalls.incrementAndGet());

        leaving.deactivate();
        staying.publish("orders", new Order("o-2", 1));

        assertFalse(closedWithView.isActive());
        assertTrue(otherView.isActive());
        assertEquals(0, leaving.subscriptionCount());
        assertEquals(1, staying.subscriptionCount());
        assertEquals(Map.of("pubsub.subscriptions", 1L, "pubsub.debounce.pending", 0L), node.resourceCounts());
        await().until(() -> stayingCalls.get() == 1);
        await().during(QUIET).until(() -> leavingCalls.get() == 0);
    }

    @Test
    public void publish_afterViewStopped_rejected() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        pubsub.deactivate();

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> pubsub.publish("orders", new Order("o-1", 1)));

        assertThat(error.getMessage(), containsString("bundle-a"));
    }

    @Test
    public void publish_afterNodeStopped_rejected() {
        NodePubSubManager node = node("n1");
        node.deactivate();
        nodes.remove(node);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> node.publish("orders", new Order("o-1", 1), PublishOptions.defaults()));

        assertThat(error.getMessage(), startsWith("node is stopping"));
    }

    @Test
    public void deactivate_node_releasesEverything() {
        NodePubSubManager node = node("n1");
        BundlePubSubManager pubsub = view(node, "bundle-a");
        Subscription subscription = pubsub.subscribe("orders", Order.class, m -> { });
        pubsub.subscribe("prices", Order.class, m -> { }, SubscribeOptions.debounce(Duration.ofSeconds(5)));
        pubsub.publish("prices", new Order("o-1", 1));

        node.deactivate();
        nodes.remove(node);

        assertFalse(subscription.isActive());
        assertEquals(Map.of("pubsub.subscriptions", 0L, "pubsub.debounce.pending", 0L), node.resourceCounts());
        assertEquals(0, bus.listenerCount("test:orders"));
    }

    @Test
    public void publish_adapterMissing_namesAdapter() {
        NodePubSubManager node = new NodePubSubManager(settings("n1"));
        nodes.add(node);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> node.publish("orders", new Order("o-1", 1), PublishOptions.defaults()));

        assertThat(error.getMessage(), containsString("'memory'"));
    }

    @Test
    public void subscribe_beforeAdapter_receivesLater() {
        NodePubSubManager node = new NodePubSubManager(settings("n1"));
        nodes.add(node);
        BundlePubSubManager pubsub = view(node, "bundle-a");
        AtomicInteger received = new AtomicInteger();
        pubsub.subscribe("orders", Order.class, m -> received.incrementAndGet());

        node.addAdapter(new MemoryPubSubAdapter(bus), Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        pubsub.publish("orders", new Order("o-1", 1));

        await().until(() -> received.get() == 1);
    }

    @Test
    public void removeAdapter_replacement_listensAgain() {
        NodePubSubManager node = new NodePubSubManager(settings("n1"));
        nodes.add(node);
        Map<String, Object> properties = Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY);
        MemoryPubSubAdapter first = new MemoryPubSubAdapter(bus);
        node.addAdapter(first, properties);
        BundlePubSubManager pubsub = view(node, "bundle-a");
        AtomicInteger received = new AtomicInteger();
        pubsub.subscribe("orders", Order.class, m -> received.incrementAndGet());

        node.removeAdapter(first, properties);
        assertEquals(0, bus.listenerCount("test:orders"));
        node.addAdapter(new MemoryPubSubAdapter(bus), properties);
        pubsub.publish("orders", new Order("o-1", 1));

        assertEquals(1, bus.listenerCount("test:orders"));
        await().until(() -> received.get() == 1);
    }

    @Test
    public void subscribe_sameTopic_sharesListener() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");

        Subscription first = pubsub.subscribe("orders", Order.class, m -> { });
        pubsub.subscribe("orders", Order.class, m -> { });

        assertEquals(1, bus.listenerCount("test:orders"));
        first.close();
        assertEquals(1, bus.listenerCount("test:orders"));
    }

    @Test
    public void subscribe_invalidInput_namesValue() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        String longChannel = "c".repeat(201);
        Map<String, Function<BundlePubSubManager, Object>> cases = Map.of(
                "''", p -> p.subscribe("", Order.class, m -> { }),
                "c".repeat(50), p -> p.subscribe(longChannel, Order.class, m -> { }),
                "'bad channel'", p -> p.subscribe("bad channel", Order.class, m -> { }),
                "type is null", p -> p.subscribe("orders", null, m -> { }),
                "handler is null", p -> p.subscribe("orders", Order.class, null),
                "options is null", p -> p.subscribe("orders", Order.class, m -> { }, null));

        cases.forEach((expected, call) -> {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> call.apply(pubsub));
            assertThat(error.getMessage(), containsString(expected));
        });
        assertEquals(0, pubsub.subscriptionCount());
    }

    @Test
    public void publish_invalidInput_namesValue() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");
        Map<String, Function<BundlePubSubManager, Object>> cases = Map.of(
                "''", p -> publish(p, "", new Order("o-1", 1)),
                "'with space'", p -> publish(p, "with space", new Order("o-1", 1)),
                "message on channel orders is null", p -> publish(p, "orders", null),
                Unwritable.class.getName(), p -> publish(p, "orders", new Unwritable()),
                "options is null", p -> {
                    p.publish("orders", new Order("o-1", 1), null);
                    return null;
                });

        cases.forEach((expected, call) -> {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> call.apply(pubsub));
            assertThat(error.getMessage(), containsString(expected));
        });
    }

    @Test
    public void unsubscribe_null_rejected() {
        BundlePubSubManager pubsub = view(node("n1"), "bundle-a");

        assertThrows(IllegalArgumentException.class, () -> pubsub.unsubscribe(null));
    }

    /** A value Jackson cannot write, because its only property fails. */
    static final class Unwritable {

        public String getValue() {
            throw new IllegalStateException("no value for the test");
        }
    }

    private static Object publish(BundlePubSubManager pubsub, String channel, Object message) {
        pubsub.publish(channel, message);
        return null;
    }

    private NodePubSubManager node(String nodeId) {
        NodePubSubManager node = new NodePubSubManager(settings(nodeId));
        node.addAdapter(new MemoryPubSubAdapter(bus), Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        nodes.add(node);
        return node;
    }

    private static BundlePubSubManager view(NodePubSubManager node, String bundle) {
        return new BundlePubSubManager(node, bundle);
    }

    private static NodeSettings settings(String nodeId) {
        return new NodeSettings("test", nodeId, Path.of("target"), Adapters.MEMORY, Adapters.MEMORY,
                Adapters.MEMORY, Adapters.MEMORY, Duration.ofSeconds(1));
    }
}
