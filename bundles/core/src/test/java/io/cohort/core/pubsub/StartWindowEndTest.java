package io.cohort.core.pubsub;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.memory.MemoryPubSubAdapter;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.QueueRole;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** What the end of the start window does to topics whose receivers left during it. */
public class StartWindowEndTest {

    private static final Duration WINDOW = Duration.ofMillis(1500);

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    private final LocalBus bus = new LocalBus();
    private final NodePubSubManager manager = new NodePubSubManager(new NodeSettings("shop", "node-1",
            Path.of("target"), Adapters.MEMORY, Adapters.MEMORY, Adapters.MEMORY, Adapters.MEMORY,
            Duration.ofSeconds(1), QueueRole.ALL, WINDOW));

    @After
    public void stop() {
        manager.deactivate();
    }

    @Test
    public void leaveInWindow_closesAtWindowEnd() {
        manager.addAdapter(new MemoryPubSubAdapter(bus), Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        BundlePubSubManager plugin = new BundlePubSubManager(manager, "com.example.orders [5]");
        Subscription subscription = plugin.subscribe("events", String.class, message -> { });

        plugin.unsubscribe(subscription);

        assertEquals("listener kept during the window", 1, bus.listenerCount("shop:events"));
        assertEquals("channels listed", Map.of(), manager.router().receiverCounts());
        await().atMost(Duration.ofSeconds(10)).until(() -> bus.listenerCount("shop:events") == 0);
    }

    @Test
    public void leaveAfterWindow_closesAtOnce() {
        manager.addAdapter(new MemoryPubSubAdapter(bus), Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        await().pollDelay(WINDOW).atMost(WINDOW.multipliedBy(4)).until(() -> true);
        BundlePubSubManager plugin = new BundlePubSubManager(manager, "com.example.orders [5]");
        Subscription subscription = plugin.subscribe("events", String.class, message -> { });

        plugin.unsubscribe(subscription);

        assertEquals(0, bus.listenerCount("shop:events"));
    }
}
