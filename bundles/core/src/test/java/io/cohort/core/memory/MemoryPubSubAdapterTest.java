package io.cohort.core.memory;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class MemoryPubSubAdapterTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    private final LocalBus bus = new LocalBus();

    @Test
    public void publish_listener_receivesEnvelope() {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Envelope> received = new CopyOnWriteArrayList<>();
        adapter.listen("app:orders", received::add);
        Envelope envelope = envelope("n1", 1);

        adapter.publish("app:orders", envelope);

        assertEquals(List.of(envelope), received);
    }

    @Test
    public void publish_otherTopic_notReceived() {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Envelope> received = new CopyOnWriteArrayList<>();
        adapter.listen("app:orders", received::add);

        adapter.publish("app:invoices", envelope("n1", 1));

        assertTrue(received.isEmpty());
    }

    @Test
    public void publish_sharedBus_reachesOtherAdapter() {
        MemoryPubSubAdapter first = new MemoryPubSubAdapter(bus);
        MemoryPubSubAdapter second = new MemoryPubSubAdapter(bus);
        List<Envelope> received = new CopyOnWriteArrayList<>();
        second.listen("app:orders", received::add);

        first.publish("app:orders", envelope("n1", 1));

        assertEquals(1, received.size());
    }

    @Test
    public void publish_separateBuses_isolated() {
        MemoryPubSubAdapter first = new MemoryPubSubAdapter();
        MemoryPubSubAdapter second = new MemoryPubSubAdapter();
        List<Envelope> received = new CopyOnWriteArrayList<>();
        second.listen("app:orders", received::add);

        first.publish("app:orders", envelope("n1", 1));

        assertTrue(received.isEmpty());
    }

    @Test
    public void publish_onePublisher_keepsOrder() throws Exception {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        adapter.listen("app:orders", e -> first.add(e.publishedAtMillis()));
        adapter.listen("app:orders", e -> second.add(e.publishedAtMillis()));
        List<Long> expected = new ArrayList<>();

        Thread publisher = new Thread(() -> {
            for (long i = 0; i < 10_000; i++) {
                adapter.publish("app:orders", envelope("n1", i));
            }
        }, "test-publisher");
        publisher.start();
        publisher.join();
        for (long i = 0; i < 10_000; i++) {
            expected.add(i);
        }

        assertEquals(expected, first);
        assertEquals(expected, second);
    }

    @Test
    public void publish_listenerThrows_othersReceive() {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Envelope> received = new CopyOnWriteArrayList<>();
        adapter.listen("app:orders", e -> {
            throw new IllegalStateException("listener failure for the test");
        });
        adapter.listen("app:orders", received::add);

        adapter.publish("app:orders", envelope("n1", 1));

        assertEquals(1, received.size());
    }

    @Test
    public void close_registration_stopsListener() {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Envelope> received = new CopyOnWriteArrayList<>();
        PubSubAdapter.Registration registration = adapter.listen("app:orders", received::add);

        registration.close();
        adapter.publish("app:orders", envelope("n1", 1));

        assertTrue(received.isEmpty());
        assertEquals(0, bus.listenerCount("app:orders"));
    }

    @Test
    public void close_twice_removesOneRegistration() {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Envelope> received = new CopyOnWriteArrayList<>();
        Consumer<Envelope> listener = received::add;
        PubSubAdapter.Registration first = adapter.listen("app:orders", listener);
        adapter.listen("app:orders", listener);

        first.close();
        first.close();
        adapter.publish("app:orders", envelope("n1", 1));

        assertEquals(1, received.size());
    }

    @Test
    public void publish_fromCallback_noDeadlock() {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Envelope> replies = new CopyOnWriteArrayList<>();
        adapter.listen("app:replies", replies::add);
        adapter.listen("app:orders", e -> adapter.publish("app:replies", envelope("n2", e.publishedAtMillis())));

        adapter.publish("app:orders", envelope("n1", 7));

        assertEquals(7, replies.get(0).publishedAtMillis());
    }

    @Test
    public void listen_insideCallback_getsLaterPublishes() {
        MemoryPubSubAdapter adapter = new MemoryPubSubAdapter(bus);
        List<Envelope> late = new CopyOnWriteArrayList<>();
        adapter.listen("app:orders", e -> {
            if (e.publishedAtMillis() == 1) {
                adapter.listen("app:orders", late::add);
            }
        });

        adapter.publish("app:orders", envelope("n1", 1));
        adapter.publish("app:orders", envelope("n1", 2));

        assertEquals(1, late.size());
        assertEquals(2, late.get(0).publishedAtMillis());
    }

    /** Builds an envelope whose publish time carries a sequence number the test can check. */
    private static Envelope envelope(String node, long sequence) {
        return new Envelope("id-" + sequence, node, sequence, false,
                ("{\"n\":" + sequence + "}").getBytes(StandardCharsets.UTF_8));
    }
}
