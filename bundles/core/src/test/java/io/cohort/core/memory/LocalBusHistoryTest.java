package io.cohort.core.memory;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.cohort.api.spi.Envelope;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class LocalBusHistoryTest {

    private static final String TOPIC = "app:orders";

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Test
    public void listenFrom_earlier_replaysAfterSequence() {
        LocalBus bus = new LocalBus();
        bus.publish(TOPIC, envelope("a", 1));
        long joined = bus.lastSequence();
        bus.publish(TOPIC, envelope("a", 2));
        bus.publish("app:other", envelope("a", 3));
        List<String> received = new CopyOnWriteArrayList<>();

        bus.listenFrom(TOPIC, joined, envelope -> received.add(envelope.id()));
        bus.publish(TOPIC, envelope("a", 4));

        assertEquals(List.of("a-2", "a-4"), received);
    }

    @Test
    public void listenFrom_overLimit_replaysNewest() {
        LocalBus bus = new LocalBus();
        for (int i = 1; i <= LocalBus.HISTORY_PER_TOPIC + 5; i++) {
            bus.publish(TOPIC, envelope("a", i));
        }
        List<String> received = new ArrayList<>();

        bus.listenFrom(TOPIC, 0, envelope -> received.add(envelope.id()));

        assertEquals(LocalBus.HISTORY_PER_TOPIC, received.size());
        assertEquals("a-6", received.get(0));
        assertEquals("a-" + (LocalBus.HISTORY_PER_TOPIC + 5), received.get(received.size() - 1));
    }

    @Test
    public void listenFrom_afterPeriod_onlyNew() {
        MovableClock clock = new MovableClock();
        LocalBus bus = new LocalBus(clock);
        bus.publish(TOPIC, envelope("a", 1));
        clock.advance(LocalBus.HISTORY_PERIOD);
        bus.publish(TOPIC, envelope("a", 2));
        List<String> received = new ArrayList<>();

        bus.listenFrom(TOPIC, 0, envelope -> received.add(envelope.id()));
        bus.publish(TOPIC, envelope("a", 3));

        assertEquals(List.of("a-3"), received);
    }

    @Test
    public void listenFrom_concurrentPublishers_onceInOrder() throws Exception {
        int publishers = 3;
        int perPublisher = 300;
        ExecutorService threads = Executors.newFixedThreadPool(publishers);
        try {
            for (int round = 0; round < 1_000; round++) {
                LocalBus bus = new LocalBus();
                CountDownLatch halfway = new CountDownLatch(publishers);
                List<Future<?>> running = new ArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    String source = "p" + p;
                    running.add(threads.submit(() -> {
                        for (int i = 1; i <= perPublisher; i++) {
                            bus.publish(TOPIC, envelope(source, i));
                            if (i == perPublisher / 2) {
                                halfway.countDown();
                            }
                        }
                    }));
                }
                List<Envelope> received = new CopyOnWriteArrayList<>();
                assertTrue(halfway.await(30, TimeUnit.SECONDS));

                bus.listenFrom(TOPIC, 0, received::add);
                for (Future<?> publisher : running) {
                    publisher.get(30, TimeUnit.SECONDS);
                }

                assertEquals("round " + round, publishers * perPublisher, received.size());
                Map<String, Integer> last = new HashMap<>();
                for (Envelope envelope : received) {
                    int number = Integer.parseInt(envelope.id().substring(envelope.id().indexOf('-') + 1));
                    int previous = last.getOrDefault(envelope.sourceNode(), 0);
                    assertEquals("round " + round + ", publisher " + envelope.sourceNode(), previous + 1, number);
                    last.put(envelope.sourceNode(), number);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static Envelope envelope(String source, int number) {
        return new Envelope(source + "-" + number, source, 0, false, new byte[0]);
    }

    /** A clock that moves only when the test advances it. */
    private static final class MovableClock extends Clock {

        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
