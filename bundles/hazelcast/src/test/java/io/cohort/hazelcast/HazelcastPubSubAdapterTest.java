package io.cohort.hazelcast;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

public class HazelcastPubSubAdapterTest {

    private static TestCluster cluster;
    private static HazelcastPubSubAdapter adapterA;
    private static HazelcastPubSubAdapter adapterB;
    private static HazelcastPubSubAdapter adapterC;

    private final List<PubSubAdapter.Registration> registrations = new ArrayList<>();

    @Rule
    public Timeout timeout = Timeout.seconds(90);

    @Rule
    public TestName testName = new TestName();

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-pubsub", 5806, 3);
        adapterA = adapter(cluster.member(0));
        adapterB = adapter(cluster.member(1));
        adapterC = adapter(cluster.member(2));
    }

    @AfterClass
    public static void stopCluster() {
        for (HazelcastPubSubAdapter adapter : new HazelcastPubSubAdapter[] {adapterA, adapterB, adapterC}) {
            if (adapter != null) {
                adapter.deactivate();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @After
    public void closeRegistrations() {
        registrations.forEach(PubSubAdapter.Registration::close);
    }

    @Test
    public void publish_10000_arriveOnceInOrder() {
        String topic = topic();
        List<String> onB = listen(adapterB, topic);
        List<String> onC = listen(adapterC, topic);
        List<String> expected = IntStream.range(0, 10_000).mapToObj(Integer::toString).collect(Collectors.toList());

        for (String id : expected) {
            adapterA.publish(topic, envelope(id));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> onB.size() >= 10_000 && onC.size() >= 10_000);
        assertEquals(expected, List.copyOf(onB));
        assertEquals(expected, List.copyOf(onC));
        assertEquals(0, adapterB.lostMessages());
        assertEquals(0, adapterC.lostMessages());
    }

    @Test
    public void publish_reachesListenersOnThePublishingMemberToo() {
        String topic = topic();
        List<String> onA = listen(adapterA, topic);

        adapterA.publish(topic, envelope("self"));

        await().atMost(Duration.ofSeconds(10)).until(() -> onA.contains("self"));
    }

    @Test
    public void envelope_crossingMembers_keepsEveryField() {
        String topic = topic();
        List<Envelope> received = Collections.synchronizedList(new ArrayList<>());
        registrations.add(adapterB.listen(topic, received::add));
        Envelope sent = new Envelope("id-1", "node-a", 1_700_000_000_123L, true, "{\"n\":1}".getBytes(UTF_8));

        adapterA.publish(topic, sent);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        Envelope got = received.get(0);
        assertEquals(sent.id(), got.id());
        assertEquals(sent.sourceNode(), got.sourceNode());
        assertEquals(sent.publishedAtMillis(), got.publishedAtMillis());
        assertEquals(sent.skipSource(), got.skipSource());
        assertArrayEquals(sent.payload(), got.payload());
    }

    @Test
    public void close_stopsThatListenerOnly() {
        String topic = topic();
        List<String> closed = Collections.synchronizedList(new ArrayList<>());
        PubSubAdapter.Registration registration = adapterB.listen(topic, envelope -> closed.add(envelope.id()));
        List<String> open = listen(adapterB, topic);

        registration.close();
        registration.close();
        adapterA.publish(topic, envelope("after-close"));

        await().atMost(Duration.ofSeconds(10)).until(() -> open.contains("after-close"));
        assertTrue(closed.isEmpty());
    }

    @Test
    public void listener_thatThrows_keepsReceiving() {
        String topic = topic();
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        registrations.add(adapterC.listen(topic, envelope -> {
            received.add(envelope.id());
            throw new IllegalStateException("listener failure on purpose");
        }));

        adapterA.publish(topic, envelope("first"));
        adapterA.publish(topic, envelope("second"));

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        assertEquals(List.of("first", "second"), List.copyOf(received));
    }

    @Test
    public void slowListener_beyondCapacity_countsLost() throws InterruptedException {
        try (TestCluster small = TestCluster.start("cohort-test-pubsub-small", 5801, 1,
                Map.of(MemberSettings.TOPIC_CAPACITY, 100))) {
            HazelcastPubSubAdapter adapter = adapter(small.member(0));
            String topic = topic();
            CountDownLatch firstReceived = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> received = Collections.synchronizedList(new ArrayList<>());
            PubSubAdapter.Registration registration = adapter.listen(topic, envelope -> {
                received.add(Integer.parseInt(envelope.id()));
                firstReceived.countDown();
                awaitQuietly(release);
            });

            adapter.publish(topic, envelope("0"));
            assertTrue(firstReceived.await(10, TimeUnit.SECONDS));
            for (int i = 1; i < 500; i++) {
                adapter.publish(topic, envelope(Integer.toString(i)));
            }
            release.countDown();

            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains(499));
            long lost = adapter.lostMessages();
            assertTrue("lost " + lost + " should be positive", lost > 0);
            assertEquals(500, received.size() + lost);
            assertEquals(received.stream().sorted().collect(Collectors.toList()), List.copyOf(received));
            assertEquals(100, small.member(0).instance()
                    .getRingbuffer(GridNames.RELIABLE_TOPIC_RINGBUFFER_PREFIX + GridNames.topic(topic)).capacity());
            registration.close();
            adapter.deactivate();
        }
    }

    @Test
    public void close_removesTheRegistrationFromTheAdapter() {
        int before = adapterA.openRegistrations();
        PubSubAdapter.Registration registration = adapterA.listen(topic(), envelope -> { });
        assertEquals(before + 1, adapterA.openRegistrations());

        registration.close();

        assertEquals(before, adapterA.openRegistrations());
    }

    private List<String> listen(HazelcastPubSubAdapter adapter, String topic) {
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        registrations.add(adapter.listen(topic, envelope -> ids.add(envelope.id())));
        return ids;
    }

    private String topic() {
        return "test:" + testName.getMethodName();
    }

    private static HazelcastPubSubAdapter adapter(HazelcastMember member) {
        return new HazelcastPubSubAdapter(member);
    }

    private static Envelope envelope(String id) {
        return new Envelope(id, "node-a", System.currentTimeMillis(), false, ("\"" + id + "\"").getBytes(UTF_8));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
