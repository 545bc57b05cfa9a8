package io.cohort.bench.harness;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import com.hazelcast.config.ReliableTopicConfig;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import com.hazelcast.topic.ReliableMessageListener;
import com.hazelcast.topic.TopicOverloadPolicy;

import io.cohort.api.pubsub.Subscription;
import io.cohort.bench.fixture.BenchCluster;
import io.cohort.bench.fixture.BenchNode;
import io.cohort.bench.fixture.Placement;
import io.cohort.bench.fixture.RedisClients;
import io.cohort.hazelcast.EmbeddedMembers;

import org.redisson.api.RTopic;
import org.redisson.client.codec.ByteArrayCodec;

/** The pub/sub implementations the harness compares: publish on node 0, receive on node 1. */
final class PubSubEndpoints {

    private PubSubEndpoints() {
    }

    /** Returns Cohort's pub/sub manager, then a raw reliable topic configured as Cohort's, then a Redisson topic. */
    static List<Endpoint> all(BenchCluster cluster, RedisClients redis) {
        return List.of(new CohortPubSub(cluster, "cohort"), new RawReliableTopic(cluster), new RedissonTopic(redis));
    }

    /** Cohort's pub/sub manager on the Hazelcast adapter, with a record payload that the manager writes as JSON. */
    static final class CohortPubSub implements Endpoint {

        static final String CHANNEL = "bench.ping";

        private final BenchCluster cluster;
        private final String system;
        private Subscription subscription;

        /** Creates the endpoint that the report shows as {@code system}. */
        CohortPubSub(BenchCluster cluster, String system) {
            this.cluster = cluster;
            this.system = system;
        }

        @Override
        public String system() {
            return system;
        }

        @Override
        public void start(LongConsumer arrivals) {
            subscription = cluster.node(1).pubSub().subscribe(CHANNEL, Payloads.Stamped.class,
                    message -> arrivals.accept(message.payload().sentNanos()));
        }

        @Override
        public void send(long sentNanos) {
            cluster.node(0).pubSub().publish(CHANNEL, new Payloads.Stamped(sentNanos, Payloads.BODY_TEXT));
        }

        @Override
        public void close() {
            if (subscription != null) {
                subscription.close();
            }
        }
    }

    /**
     * A raw Hazelcast reliable topic of byte arrays with the ringbuffer, read batch and overload policy that Cohort
     * configures for its topics, and a loss-tolerant listener as Cohort's. Its ringbuffer has the same owner as the
     * one behind Cohort's channel.
     */
    private static final class RawReliableTopic implements Endpoint {

        private static final String TOPIC_PREFIX = "bench.raw.topic.";

        private final BenchCluster cluster;
        private final AtomicLong sequence = new AtomicLong();
        private ITopic<byte[]> publisher;
        private ITopic<byte[]> listenerTopic;
        private UUID listenerId;

        RawReliableTopic(BenchCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public String system() {
            return "rawReliableTopic";
        }

        @Override
        public void start(LongConsumer arrivals) {
            HazelcastInstance instance = cluster.instance(0);
            String topic = Placement.sameOwner(instance, Placement.RELIABLE_TOPIC.apply(EmbeddedMembers.topicName(
                    BenchNode.APP + ":" + CohortPubSub.CHANNEL)), TOPIC_PREFIX, Placement.RELIABLE_TOPIC);
            instance.getConfig().addReliableTopicConfig(new ReliableTopicConfig(topic)
                    .setReadBatchSize(EmbeddedMembers.topicReadBatchSize())
                    .setTopicOverloadPolicy(TopicOverloadPolicy.DISCARD_OLDEST));
            instance.getConfig().addRingBufferConfig(new RingbufferConfig(topic)
                    .setCapacity(EmbeddedMembers.topicCapacity(cluster.node(0).member()))
                    .setTimeToLiveSeconds(0)
                    .setBackupCount(1)
                    .setAsyncBackupCount(0));
            publisher = instance.getReliableTopic(topic);
            listenerTopic = cluster.instance(1).getReliableTopic(topic);
            listenerId = listenerTopic.addMessageListener(new Listener(arrivals));
        }

        @Override
        public void send(long sentNanos) {
            publisher.publish(Payloads.bytes(sentNanos, sequence.incrementAndGet()));
        }

        @Override
        public void close() {
            if (listenerId != null) {
                listenerTopic.removeMessageListener(listenerId);
            }
        }

        /** Starts at the next message published and skips messages it fell too far behind to read. */
        private record Listener(LongConsumer arrivals) implements ReliableMessageListener<byte[]> {

            @Override
            public void onMessage(Message<byte[]> message) {
                arrivals.accept(Payloads.sentNanos(message.getMessageObject()));
            }

            @Override
            public long retrieveInitialSequence() {
                return -1;
            }

            @Override
            public void storeSequence(long sequence) {
                // Nothing to store: a restarted listener starts at the next message.
            }

            @Override
            public boolean isLossTolerant() {
                return true;
            }

            @Override
            public boolean isTerminal(Throwable failure) {
                return false;
            }
        }
    }

    /** A Redisson topic of byte arrays: Redis PUBLISH and SUBSCRIBE, which keep no message for a late reader. */
    private static final class RedissonTopic implements Endpoint {

        private static final String TOPIC = "bench:topic";

        private final RedisClients redis;
        private final AtomicLong sequence = new AtomicLong();
        private RTopic publisher;
        private RTopic listenerTopic;

        RedissonTopic(RedisClients redis) {
            this.redis = redis;
        }

        @Override
        public String system() {
            return "redissonTopic";
        }

        @Override
        public void start(LongConsumer arrivals) {
            publisher = redis.client(0).getTopic(TOPIC, ByteArrayCodec.INSTANCE);
            listenerTopic = redis.client(1).getTopic(TOPIC, ByteArrayCodec.INSTANCE);
            listenerTopic.addListener(byte[].class, (channel, message) -> arrivals.accept(Payloads.sentNanos(message)));
        }

        @Override
        public void send(long sentNanos) {
            publisher.publish(Payloads.bytes(sentNanos, sequence.incrementAndGet()));
        }

        @Override
        public void close() {
            if (listenerTopic != null) {
                listenerTopic.removeAllListeners();
            }
        }
    }
}
