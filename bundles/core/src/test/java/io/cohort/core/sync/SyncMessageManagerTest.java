package io.cohort.core.sync;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.startsWith;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.SyncOutbox;
import io.cohort.api.sync.SyncMessage;
import io.cohort.api.sync.SyncOptions;
import io.cohort.api.tx.Transaction;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.memory.MemoryPubSubAdapter;
import io.cohort.core.node.NodeSettings;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class SyncMessageManagerTest {

    /** How long a test watches for a delivery that must not happen. */
    private static final Duration QUIET = Duration.ofMillis(400);

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    private final LocalBus bus = new LocalBus();
    private final List<NodeSyncManager> nodes = new ArrayList<>();

    record Order(String id, int quantity) {
    }

    @After
    public void stopNodes() {
        nodes.forEach(NodeSyncManager::deactivate);
    }

    @Test
    public void publish_threeNodes_othersOnceSenderNever() {
        List<BundleSyncMessageManager> views = List.of(view(node("n1"), "bundle-a"), view(node("n2"), "bundle-a"),
                view(node("n3"), "bundle-a"));
        List<AtomicInteger> received = List.of(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
        for (int i = 0; i < views.size(); i++) {
            AtomicInteger count = received.get(i);
            views.get(i).subscribe("orders", message -> count.incrementAndGet());
        }

        views.get(0).publish("orders", new Order("o-1", 1));

        await().until(() -> received.get(1).get() == 1 && received.get(2).get() == 1);
        await().during(QUIET).until(() -> received.get(0).get() == 0
                && received.get(1).get() == 1 && received.get(2).get() == 1);
    }

    @Test
    public void publish_singleNode_reachesNoOne() {
        NodeSyncManager node = node("n1");
        BundleSyncMessageManager sync = view(node, "bundle-a");
        AtomicInteger received = new AtomicInteger();
        sync.subscribe("orders", message -> received.incrementAndGet());

        sync.publish("orders", new Order("o-1", 1));

        assertEquals(1, node.channelCounts().get(new SyncCounters.Key(null, "orders")).sent());
        await().during(QUIET).until(() -> received.get() == 0);
    }

    @Test
    public void payload_callersType_returnsMessage() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        view(node("n2"), "bundle-a").subscribe("orders", received::add);

        sender.publish("orders", new Order("o-1", 4));

        await().until(() -> received.size() == 1);
        SyncMessage message = received.get(0);
        assertEquals(new Order("o-1", 4), message.payload(Order.class));
        assertEquals("orders", message.channel());
        assertEquals("n1", message.sourceNode());
        assertEquals("{\"id\":\"o-1\",\"quantity\":4}", message.payloadJson());
    }

    @Test
    public void payload_wrongType_namesChannelAndType() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        view(node("n2"), "bundle-a").subscribe("orders", received::add);
        sender.publish("orders", "not an order");
        await().until(() -> received.size() == 1);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> received.get(0).payload(Order.class));

        assertThat(error.getMessage(), containsString("channel orders"));
        assertThat(error.getMessage(), containsString(Order.class.getName()));
    }

    @Test
    public void publish_transaction_sentAfterCommit() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        AtomicInteger received = new AtomicInteger();
        view(node("n2"), "bundle-a").subscribe("orders", message -> received.incrementAndGet());
        TestTransaction transaction = new TestTransaction();

        sender.publish("orders", new Order("o-1", 1), SyncOptions.afterCommit(transaction));

        await().during(QUIET).until(() -> received.get() == 0);
        transaction.commit();
        await().until(() -> received.get() == 1);
    }

    @Test
    public void publish_transaction_keepsPublishOrder() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        List<Integer> received = new CopyOnWriteArrayList<>();
        view(node("n2"), "bundle-a").subscribe("orders",
                message -> received.add(message.payload(Order.class).quantity()));
        TestTransaction transaction = new TestTransaction();
        List<Integer> expected = new ArrayList<>();

        for (int i = 0; i < 100; i++) {
            sender.publish("orders", new Order("o-" + i, i), SyncOptions.afterCommit(transaction));
            expected.add(i);
        }
        transaction.commit();

        await().until(() -> received.size() == 100);
        assertEquals(expected, received);
    }

    @Test
    public void publish_rolledBack_neverSent() {
        NodeSyncManager senderNode = node("n1");
        BundleSyncMessageManager sender = view(senderNode, "bundle-a");
        AtomicInteger received = new AtomicInteger();
        view(node("n2"), "bundle-a").subscribe("orders", message -> received.incrementAndGet());
        TestTransaction transaction = new TestTransaction();

        sender.publish("orders", new Order("o-1", 1), SyncOptions.afterCommit(transaction));
        transaction.rollback();

        await().during(QUIET).until(() -> received.get() == 0);
        assertFalse(senderNode.channelCounts().containsKey(new SyncCounters.Key(null, "orders")));
    }

    @Test
    public void publish_endedTransaction_rejected() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        TestTransaction transaction = new TestTransaction();
        transaction.commit();

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> sender.publish("orders", new Order("o-1", 1), SyncOptions.afterCommit(transaction)));

        assertThat(error.getMessage(), containsString("transaction has already ended"));
        assertThat(error.getMessage(), containsString("channel orders"));
    }

    @Test
    public void publish_invalidInput_rejectedBeforeRegistering() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        TestTransaction transaction = new TestTransaction();
        SyncOptions afterCommit = SyncOptions.afterCommit(transaction);
        Map<String, Consumer<BundleSyncMessageManager>> cases = new LinkedHashMap<>();
        cases.put("channel ''", s -> s.publish("", new Order("o-1", 1), afterCommit));
        cases.put("c".repeat(57), s -> s.publish("c".repeat(201), new Order("o-1", 1), afterCommit));
        cases.put("channel 'bad channel'", s -> s.publish("bad channel", new Order("o-1", 1), afterCommit));
        cases.put("sync message on channel orders is null", s -> s.publish("orders", null, afterCommit));
        cases.put(Unwritable.class.getName(), s -> s.publish("orders", new Unwritable(), afterCommit));
        cases.put("options is null", s -> s.publish("orders", new Order("o-1", 1), null));

        cases.forEach((expected, call) -> {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> call.accept(sender));
            assertThat(error.getMessage(), containsString(expected));
        });
        assertEquals(0, transaction.callbackCount());
    }

    @Test
    public void subscribe_invalidInput_namesValue() {
        BundleSyncMessageManager sync = view(node("n1"), "bundle-a");
        Map<String, Consumer<BundleSyncMessageManager>> cases = new LinkedHashMap<>();
        cases.put("channel ''", s -> s.subscribe("", message -> { }));
        cases.put("channel 'a#b'", s -> s.subscribe("a#b", message -> { }));
        cases.put("handler is null", s -> s.subscribe("orders", null));

        cases.forEach((expected, call) -> {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> call.accept(sync));
            assertThat(error.getMessage(), containsString(expected));
        });
        assertEquals(0, sync.subscriptionCount());
    }

    @Test
    public void handlerException_counted_laterHandled() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        NodeSyncManager receiverNode = node("n2");
        List<Integer> handled = new CopyOnWriteArrayList<>();
        view(receiverNode, "bundle-a").subscribe("orders", message -> {
            int quantity = message.payload(Order.class).quantity();
            if (quantity == 0) {
                throw new IllegalStateException("handler failure for the test");
            }
            handled.add(quantity);
        });

        sender.publish("orders", new Order("o-1", 0));
        sender.publish("orders", new Order("o-2", 2));
        sender.publish("orders", new Order("o-3", 3));

        await().until(() -> handled.size() == 2);
        assertEquals(List.of(2, 3), handled);
        SyncCounters.Counts counts = receiverNode.channelCounts().get(new SyncCounters.Key(null, "orders"));
        assertEquals(3, counts.received());
        assertEquals(2, counts.handled());
        assertEquals(1, counts.failed());
    }

    @Test
    public void handler_runsOnSyncThread() {
        BundleSyncMessageManager sender = view(node("n1"), "bundle-a");
        List<String> threads = new CopyOnWriteArrayList<>();
        view(node("n2"), "bundle-a").subscribe("orders", message -> threads.add(Thread.currentThread().getName()));

        sender.publish("orders", new Order("o-1", 1));

        await().until(() -> threads.size() == 1);
        assertThat(threads.get(0), startsWith("cohort-sync-n2-"));
    }

    @Test
    public void sendPlugin_otherNode_reachesSamePlugin() {
        NodeSyncManager sender = node("n1");
        NodeSyncManager receiver = node("n2");
        List<SyncMessage> senderReceived = new CopyOnWriteArrayList<>();
        List<SyncMessage> billing = new CopyOnWriteArrayList<>();
        List<SyncMessage> shipping = new CopyOnWriteArrayList<>();
        sender.subscribePlugin("billing", senderReceived::add);
        receiver.subscribePlugin("billing", billing::add);
        receiver.subscribePlugin("shipping", shipping::add);

        sender.sendPlugin("billing", "invoices/changed", new Order("o-1", 1), SyncOptions.immediate());

        await().until(() -> billing.size() == 1);
        assertEquals("invoices/changed", billing.get(0).channel());
        assertEquals(new Order("o-1", 1), billing.get(0).payload(Order.class));
        await().during(QUIET).until(() -> shipping.isEmpty() && senderReceived.isEmpty());
    }

    @Test
    public void sendPlugin_transaction_sentAfterCommit() {
        NodeSyncManager sender = node("n1");
        AtomicInteger received = new AtomicInteger();
        node("n2").subscribePlugin("billing", message -> received.incrementAndGet());
        TestTransaction transaction = new TestTransaction();

        sender.sendPlugin("billing", "invoices", new Order("o-1", 1), SyncOptions.afterCommit(transaction));

        await().during(QUIET).until(() -> received.get() == 0);
        transaction.commit();
        await().until(() -> received.get() == 1);
    }

    @Test
    public void sendPlugin_invalidPlugin_namesIt() {
        NodeSyncManager sender = node("n1");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> sender.sendPlugin("Billing!", "invoices", new Order("o-1", 1), SyncOptions.immediate()));

        assertThat(error.getMessage(), containsString("'Billing!'"));
    }

    @Test
    public void topics_syncChannels_useReservedNames() {
        NodeSyncManager node = node("n1");

        view(node, "bundle-a").subscribe("orders", message -> { });
        node.subscribePlugin("billing", message -> { });

        assertEquals(1, bus.listenerCount("test:#sync:orders"));
        assertEquals(1, bus.listenerCount("test:#sync-plugin:billing"));
        assertEquals(0, bus.listenerCount("test:sync:orders"));
    }

    @Test
    public void deactivate_bundleView_closesOwnOnly() {
        NodeSyncManager node = node("n1");
        BundleSyncMessageManager leaving = view(node, "bundle-leaving");
        BundleSyncMessageManager staying = view(node, "bundle-staying");
        AtomicInteger leavingCalls = new AtomicInteger();
        AtomicInteger stayingCalls = new AtomicInteger();
        Subscription closedWithView = leaving.subscribe("orders", message -> leavingCalls.incrementAndGet());
        Subscription otherView = staying.subscribe("orders", message -> stayingCalls.incrementAndGet());

        leaving.deactivate();
        view(node("n2"), "bundle-a").publish("orders", new Order("o-1", 1));

        assertFalse(closedWithView.isActive());
        assertTrue(otherView.isActive());
        assertEquals(Map.of("sync.subscriptions", 1L), node.resourceCounts());
        await().until(() -> stayingCalls.get() == 1);
        await().during(QUIET).until(() -> leavingCalls.get() == 0);
    }

    @Test
    public void publish_afterNodeStopped_rejected() {
        NodeSyncManager node = node("n1");
        node.deactivate();
        nodes.remove(node);
        TestTransaction transaction = new TestTransaction();

        IllegalStateException now = assertThrows(IllegalStateException.class,
                () -> node.publish("orders", new Order("o-1", 1), SyncOptions.immediate()));
        IllegalStateException afterCommit = assertThrows(IllegalStateException.class,
                () -> node.publish("orders", new Order("o-1", 1), SyncOptions.afterCommit(transaction)));

        assertThat(now.getMessage(), startsWith("node is stopping"));
        assertThat(afterCommit.getMessage(), startsWith("node is stopping"));
        assertEquals(0, transaction.callbackCount());
    }

    @Test
    public void commit_afterNodeStopped_dropsMessage() {
        NodeSyncManager node = node("n1");
        TestTransaction transaction = new TestTransaction();
        node.publish("orders", new Order("o-1", 1), SyncOptions.afterCommit(transaction));
        node.deactivate();
        nodes.remove(node);

        transaction.commit();

        assertFalse(transaction.isActive());
        assertFalse(node.channelCounts().containsKey(new SyncCounters.Key(null, "orders")));
    }

    @Test
    public void deliver_repeatedId_handledOnce() {
        NodeSyncManager receiverNode = node("n2");
        List<SyncMessage> handled = new CopyOnWriteArrayList<>();
        view(receiverNode, "bundle-a").subscribe("orders", handled::add);
        Envelope envelope = new Envelope("m-1", "n1", System.currentTimeMillis(), true,
                SyncWire.encode("orders", "{\"id\":\"o-1\",\"quantity\":1}".getBytes(StandardCharsets.UTF_8)));

        bus.publish("test:#sync:orders", envelope);
        bus.publish("test:#sync:orders", envelope);

        await().until(() -> receiverNode.channelCounts().get(new SyncCounters.Key(null, "orders")).received() == 2);
        SyncCounters.Counts counts = receiverNode.channelCounts().get(new SyncCounters.Key(null, "orders"));
        assertEquals(1, counts.duplicates());
        await().until(() -> handled.size() == 1);
        await().during(QUIET).until(() -> handled.size() == 1);
    }

    @Test
    public void deliver_repeatedIdOtherSubscription_handledByEach() {
        NodeSyncManager receiverNode = node("n2");
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        view(receiverNode, "bundle-a").subscribe("orders", message -> first.incrementAndGet());
        view(receiverNode, "bundle-b").subscribe("orders", message -> second.incrementAndGet());
        Envelope envelope = new Envelope("m-1", "n1", System.currentTimeMillis(), true,
                SyncWire.encode("orders", "{}".getBytes(StandardCharsets.UTF_8)));

        bus.publish("test:#sync:orders", envelope);

        await().until(() -> first.get() == 1 && second.get() == 1);
    }

    @Test
    public void publish_durable_appendsEnvelopeInTransaction() {
        NodeSyncManager sender = node("n1");
        RecordingOutbox outbox = new RecordingOutbox();
        sender.bindOutbox(outbox);
        AtomicInteger received = new AtomicInteger();
        view(node("n2"), "bundle-a").subscribe("orders", message -> received.incrementAndGet());
        TestTransaction transaction = new TestTransaction();

        sender.publish("orders", new Order("o-1", 1), SyncOptions.durable(transaction));
        transaction.commit();

        assertEquals(1, outbox.appended.size());
        RecordingOutbox.Appended appended = outbox.appended.get(0);
        assertTrue(appended.transaction() == transaction);
        assertEquals("test", appended.appName());
        assertEquals("test:#sync:orders", appended.topic());
        assertEquals("n1", appended.envelope().sourceNode());
        assertTrue(appended.envelope().skipSource());
        assertEquals(1, sender.channelCounts().get(new SyncCounters.Key(null, "orders")).stored());
        assertEquals(0, sender.channelCounts().get(new SyncCounters.Key(null, "orders")).sent());
        await().during(QUIET).until(() -> received.get() == 0);
    }

    @Test
    public void publish_durableRelayed_reachesOtherNodeOnce() {
        NodeSyncManager sender = node("n1");
        RecordingOutbox outbox = new RecordingOutbox();
        sender.bindOutbox(outbox);
        List<SyncMessage> received = new CopyOnWriteArrayList<>();
        view(node("n2"), "bundle-a").subscribe("orders", received::add);
        TestTransaction transaction = new TestTransaction();
        sender.publish("orders", new Order("o-1", 3), SyncOptions.durable(transaction));
        transaction.commit();
        RecordingOutbox.Appended appended = outbox.appended.get(0);

        bus.publish(appended.topic(), appended.envelope());
        bus.publish(appended.topic(), appended.envelope());

        await().until(() -> received.size() == 1);
        assertEquals(appended.envelope().id(), received.get(0).id());
        assertEquals(new Order("o-1", 3), received.get(0).payload(Order.class));
        await().during(QUIET).until(() -> received.size() == 1);
    }

    @Test
    public void publish_durableWithoutOutbox_rejected() {
        NodeSyncManager sender = node("n1");
        TestTransaction transaction = new TestTransaction();

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> sender.publish("orders", new Order("o-1", 1), SyncOptions.durable(transaction)));

        assertThat(error.getMessage(), containsString("no sync outbox is registered on node n1"));
        assertThat(error.getMessage(), containsString("channel orders"));
        assertEquals(0, transaction.callbackCount());
    }

    @Test
    public void unbindOutbox_replacedOutbox_keepsNewOne() {
        NodeSyncManager sender = node("n1");
        RecordingOutbox first = new RecordingOutbox();
        RecordingOutbox second = new RecordingOutbox();
        sender.bindOutbox(first);
        sender.bindOutbox(second);

        sender.unbindOutbox(first);
        sender.publish("orders", new Order("o-1", 1), SyncOptions.durable(new TestTransaction()));

        assertEquals(0, first.appended.size());
        assertEquals(1, second.appended.size());
    }

    @Test
    public void sendPlugin_durable_appendsToPluginTopic() {
        NodeSyncManager sender = node("n1");
        RecordingOutbox outbox = new RecordingOutbox();
        sender.bindOutbox(outbox);

        sender.sendPlugin("billing", "invoices", new Order("o-1", 1), SyncOptions.durable(new TestTransaction()));

        assertEquals("test:#sync-plugin:billing", outbox.appended.get(0).topic());
    }

    /** An outbox that keeps what the sync manager appends, for the test to publish by hand. */
    static final class RecordingOutbox implements SyncOutbox {

        final List<Appended> appended = new CopyOnWriteArrayList<>();

        @Override
        public void append(Transaction transaction, String appName, String topic, Envelope envelope) {
            appended.add(new Appended(transaction, appName, topic, envelope));
        }

        record Appended(Transaction transaction, String appName, String topic, Envelope envelope) {
        }
    }

    /** A value Jackson cannot write, because its only property fails. */
    static final class Unwritable {

        public String getValue() {
            throw new IllegalStateException("no value for the test");
        }
    }

    private NodeSyncManager node(String nodeId) {
        NodeSyncManager node = new NodeSyncManager(settings(nodeId));
        node.addAdapter(new MemoryPubSubAdapter(bus), Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        nodes.add(node);
        return node;
    }

    private static BundleSyncMessageManager view(NodeSyncManager node, String bundle) {
        return new BundleSyncMessageManager(node, bundle);
    }

    private static NodeSettings settings(String nodeId) {
        return new NodeSettings("test", nodeId, Path.of("target"), Adapters.MEMORY, Adapters.MEMORY,
                Adapters.MEMORY, Adapters.MEMORY, Duration.ofSeconds(1));
    }
}
