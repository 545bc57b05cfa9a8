package io.cohort.core.pubsub;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.api.sync.SyncOptions;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.QueueRole;
import io.cohort.core.sync.NodeSyncManager;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * What a node that joins a running cluster receives from the messages published around its join, written once and
 * run by one subclass per adapter kind. Node "early" runs from the start; each test joins node "late" and subscribes
 * on it the way a plugin does in {@code beforeLoad}.
 */
public abstract class StartWindowContract {

    /** How long a test watches for a delivery that must not happen. */
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    @Rule
    public TestName testName = new TestName();

    private final List<Runnable> stops = new ArrayList<>();

    /** Returns the adapter of the node that runs from the start of the test class. */
    protected abstract PubSubAdapter earlyNode();

    /**
     * Joins a new node to the cluster of {@link #earlyNode()} and returns its adapter, which has joined; what the
     * node needs stopped goes to {@link #atEnd}.
     */
    protected abstract PubSubAdapter joinNode();

    /** Returns the name both adapters are registered under. */
    protected abstract String adapterName();

    /** Runs {@code stop} after the test, after every manager created later has stopped. */
    protected final void atEnd(Runnable stop) {
        stops.add(stop);
    }

    @After
    public void stopManagers() {
        for (int i = stops.size() - 1; i >= 0; i--) {
            stops.get(i).run();
        }
    }

    @Test
    public void subscribeInWindow_afterJoin_allInOrder() {
        String channel = name("events");
        BundlePubSubManager early = pubSub(earlyNode(), "early", NodeSettings.DEFAULT_START_WINDOW);
        early.publish(channel, "before-join");
        NodePubSubManager late = pubSubManager(joinNode(), "late", NodeSettings.DEFAULT_START_WINDOW);
        early.publish(channel, "after-join-1");
        early.publish(channel, "after-join-2");
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();

        new BundlePubSubManager(late, "plugin-a").subscribe(channel, String.class,
                message -> first.add(message.payload()));
        await().atMost(Duration.ofSeconds(30)).until(() -> first.size() >= 2);
        new BundlePubSubManager(late, "plugin-b").subscribe(channel, String.class,
                message -> second.add(message.payload()));
        early.publish(channel, "after-subscribe");

        List<String> expected = List.of("after-join-1", "after-join-2", "after-subscribe");
        await().atMost(Duration.ofSeconds(30)).until(() -> first.size() >= 3 && second.size() >= 3);
        await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> first.size() == 3 && second.size() == 3);
        assertEquals(expected, first);
        assertEquals(expected, second);
    }

    @Test
    public void resubscribeInWindow_sameOwner_noReplay() {
        String channel = name("events");
        BundlePubSubManager early = pubSub(earlyNode(), "early", NodeSettings.DEFAULT_START_WINDOW);
        NodePubSubManager late = pubSubManager(joinNode(), "late", NodeSettings.DEFAULT_START_WINDOW);
        early.publish(channel, "after-join");
        List<String> firstHandler = new CopyOnWriteArrayList<>();
        List<String> secondHandler = new CopyOnWriteArrayList<>();
        List<String> reloaded = new CopyOnWriteArrayList<>();
        BundlePubSubManager firstLoad = new BundlePubSubManager(late, "com.example.orders [5]");
        firstLoad.subscribe(channel, String.class, message -> firstHandler.add(message.payload()));
        firstLoad.subscribe(channel, String.class, message -> secondHandler.add(message.payload()));
        await().atMost(Duration.ofSeconds(30)).until(() -> firstHandler.size() == 1 && secondHandler.size() == 1);

        firstLoad.deactivate();
        new BundlePubSubManager(late, "com.example.orders [6]").subscribe(channel, String.class,
                message -> reloaded.add(message.payload()));
        early.publish(channel, "after-reload");

        await().atMost(Duration.ofSeconds(30)).until(() -> reloaded.size() >= 1);
        await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> reloaded.size() == 1);
        assertEquals(List.of("after-join"), firstHandler);
        assertEquals(List.of("after-join"), secondHandler);
        assertEquals(List.of("after-reload"), reloaded);
    }

    @Test
    public void managerRestartInWindow_noSecondReplay() {
        String channel = name("events");
        BundlePubSubManager early = pubSub(earlyNode(), "early", NodeSettings.DEFAULT_START_WINDOW);
        PubSubAdapter lateAdapter = joinNode();
        NodePubSubManager first = pubSubManager(lateAdapter, "late", NodeSettings.DEFAULT_START_WINDOW);
        early.publish(channel, "after-join");
        List<String> beforeRestart = new CopyOnWriteArrayList<>();
        new BundlePubSubManager(first, "com.example.orders [5]").subscribe(channel, String.class,
                message -> beforeRestart.add(message.payload()));
        await().atMost(Duration.ofSeconds(30)).until(() -> beforeRestart.size() == 1);

        first.deactivate();
        NodePubSubManager restarted = pubSubManager(lateAdapter, "late", NodeSettings.DEFAULT_START_WINDOW);
        List<String> afterRestart = new CopyOnWriteArrayList<>();
        new BundlePubSubManager(restarted, "com.example.orders [5]").subscribe(channel, String.class,
                message -> afterRestart.add(message.payload()));
        awaitListening(channel, afterRestart);

        assertFalse(afterRestart.toString(), afterRestart.contains("after-join"));
    }

    @Test
    public void subscribeInWindow_newChannel_receivesFirst() {
        String channel = name("events");
        BundlePubSubManager early = pubSub(earlyNode(), "early", NodeSettings.DEFAULT_START_WINDOW);
        NodePubSubManager late = pubSubManager(joinNode(), "late", NodeSettings.DEFAULT_START_WINDOW);
        early.publish(channel, "first");
        early.publish(channel, "second");
        List<String> received = new CopyOnWriteArrayList<>();

        new BundlePubSubManager(late, "plugin-a").subscribe(channel, String.class,
                message -> received.add(message.payload()));

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 2);
        await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
        assertEquals(List.of("first", "second"), received);
    }

    @Test
    public void subscribeAfterWindow_earlierMessages_notReplayed() {
        String channel = name("events");
        BundlePubSubManager early = pubSub(earlyNode(), "early", NodeSettings.DEFAULT_START_WINDOW);
        NodePubSubManager late = pubSubManager(joinNode(), "late", Duration.ZERO);
        early.publish(channel, "before-subscribe");
        List<String> received = new CopyOnWriteArrayList<>();

        new BundlePubSubManager(late, "plugin-a").subscribe(channel, String.class,
                message -> received.add(message.payload()));
        awaitListening(channel, received);

        assertFalse(received.toString(), received.contains("before-subscribe"));
    }

    @Test
    public void syncHookInWindow_afterJoin_handled() {
        String plugin = name("plugin");
        NodeSyncManager early = syncManager(earlyNode(), "early");
        NodeSyncManager late = syncManager(joinNode(), "late");
        early.sendPlugin(plugin, "policies", "version-2", SyncOptions.immediate());
        List<String> received = new CopyOnWriteArrayList<>();

        late.subscribePlugin(plugin,
                message -> received.add(message.channel() + ":" + message.payload(String.class)));

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 1);
        await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
        assertEquals(List.of("policies:version-2"), received);
    }

    /**
     * Publishes numbered probes on {@code channel} from the early node until {@code received} gets one, then one
     * message "after-subscribe" that must arrive too: a listener that opens at the next message published only
     * starts receiving some time after it subscribed on the adapters that register asynchronously.
     */
    private void awaitListening(String channel, List<String> received) {
        BundlePubSubManager early = pubSub(earlyNode(), "early-probe", NodeSettings.DEFAULT_START_WINDOW);
        AtomicInteger probes = new AtomicInteger();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            early.publish(channel, "probe-" + probes.incrementAndGet());
            return received.stream().anyMatch(message -> message.startsWith("probe-"));
        });
        early.publish(channel, "after-subscribe");
        await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("after-subscribe"));
    }

    private BundlePubSubManager pubSub(PubSubAdapter adapter, String node, Duration window) {
        return new BundlePubSubManager(pubSubManager(adapter, node, window), "plugin on " + node);
    }

    private NodePubSubManager pubSubManager(PubSubAdapter adapter, String node, Duration window) {
        NodePubSubManager manager = new NodePubSubManager(settings(node, window));
        manager.addAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, adapterName()));
        stops.add(manager::deactivate);
        return manager;
    }

    private NodeSyncManager syncManager(PubSubAdapter adapter, String node) {
        NodeSyncManager manager = new NodeSyncManager(settings(node, NodeSettings.DEFAULT_START_WINDOW));
        manager.addAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, adapterName()));
        stops.add(manager::deactivate);
        return manager;
    }

    private NodeSettings settings(String node, Duration window) {
        return new NodeSettings("shop", node, Path.of("target"), Adapters.MEMORY, adapterName(), Adapters.MEMORY,
                Adapters.MEMORY, Duration.ofSeconds(1), QueueRole.ALL, window);
    }

    private String name(String kind) {
        return kind + "-" + testName.getMethodName().replace('_', '-').toLowerCase() + "-" + UNIQUE.incrementAndGet();
    }
}
