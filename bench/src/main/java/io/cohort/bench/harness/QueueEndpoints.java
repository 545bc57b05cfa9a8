package io.cohort.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.transaction.TransactionContext;
import com.hazelcast.transaction.TransactionOptions;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskContext;
import io.cohort.bench.fixture.BenchCluster;
import io.cohort.bench.fixture.BenchNode;
import io.cohort.bench.fixture.Placement;
import io.cohort.bench.fixture.Fixtures;
import io.cohort.bench.fixture.RedisClients;
import io.cohort.hazelcast.EmbeddedMembers;

import org.redisson.api.RBlockingQueue;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task queues the harness compares: tasks are published on node 0 and each of the three nodes runs one consumer
 * with one worker, which counts a task as started and returns at once.
 */
final class QueueEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(QueueEndpoints.class);

    /** How long one blocking poll of the raw consumers waits, as long as Cohort's consumers wait per take. */
    private static final long POLL_MILLIS = 250;

    private QueueEndpoints() {
    }

    /**
     * Returns Cohort's event queue, a raw IQueue, a raw IQueue with the transactional take that gives Cohort its
     * at-least-once delivery, and a Redisson blocking queue.
     */
    static List<Endpoint> all(BenchCluster cluster, RedisClients redis) {
        return List.of(new CohortQueue(cluster), new RawQueue(cluster), new RawTransactionalQueue(cluster),
                new RedissonQueue(redis));
    }

    /** Returns the first name {@code prefix + n} whose queue partition has the owner of Cohort's ready queue. */
    private static String sameOwnerAsCohort(BenchCluster cluster, String prefix) {
        return Placement.sameOwner(cluster.instance(0), EmbeddedMembers.readyQueueName(BenchNode.APP + ":"
                + CohortQueue.CHANNEL), prefix, UnaryOperator.identity());
    }

    /** Cohort's event queue on the Hazelcast adapter, with a record payload that the manager writes as JSON. */
    private static final class CohortQueue implements Endpoint {

        private static final String CHANNEL = "bench.tasks";

        private final BenchCluster cluster;
        private final List<Subscription> subscriptions = new ArrayList<>();

        CohortQueue(BenchCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public String system() {
            return "cohort";
        }

        @Override
        public void start(LongConsumer arrivals) {
            TaskConsumer<Payloads.Stamped> consumer = new TaskConsumer<>() {
                @Override
                public void process(Payloads.Stamped payload, TaskContext context) {
                    arrivals.accept(payload.sentNanos());
                }
            };
            for (int i = 0; i < cluster.size(); i++) {
                subscriptions.add(cluster.node(i).queue().subscribe(CHANNEL, Payloads.Stamped.class, consumer));
            }
        }

        @Override
        public void send(long sentNanos) {
            cluster.node(0).queue().publish(CHANNEL, new Payloads.Stamped(sentNanos, Payloads.BODY_TEXT));
        }

        @Override
        public void close() {
            subscriptions.forEach(Subscription::close);
        }
    }

    /** Consumer threads, one per node, that each run a poll loop until closed. */
    private abstract static class PollingQueue implements Endpoint {

        private final List<Thread> consumers = new ArrayList<>();
        private final AtomicLong sequence = new AtomicLong();
        private volatile boolean running = true;

        @Override
        public void start(LongConsumer arrivals) {
            for (int i = 0; i < Fixtures.NODES; i++) {
                int node = i;
                Thread consumer = new Thread(() -> consume(node, arrivals), "bench-" + system() + "-consumer-" + i);
                consumer.setDaemon(true);
                consumers.add(consumer);
                consumer.start();
            }
        }

        @Override
        public void send(long sentNanos) {
            offer(Payloads.bytes(sentNanos, sequence.incrementAndGet()));
        }

        @Override
        public void close() {
            running = false;
            for (Thread consumer : consumers) {
                try {
                    consumer.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (consumer.isAlive()) {
                    LOG.warn("Consumer thread {} did not stop within 5 s", consumer.getName());
                }
            }
        }

        abstract void offer(byte[] item);

        /** Takes one item on {@code node}, waiting up to {@link #POLL_MILLIS}, and reports it; false if none came. */
        abstract boolean takeOne(int node, LongConsumer arrivals) throws InterruptedException;

        private void consume(int node, LongConsumer arrivals) {
            while (running) {
                try {
                    takeOne(node, arrivals);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warn("Consumer on node {} of {} failed; it keeps polling", node, system(), e);
                    }
                }
            }
        }
    }

    /**
     * A raw Hazelcast IQueue of byte arrays: offer, and a blocking poll on each node, with no delivery guarantee. Its
     * partition has the same owner as Cohort's queue of ready tasks.
     */
    private static final class RawQueue extends PollingQueue {

        private final BenchCluster cluster;
        private final String queue;

        RawQueue(BenchCluster cluster) {
            this.cluster = cluster;
            this.queue = sameOwnerAsCohort(cluster, "bench.raw.tasks.");
        }

        @Override
        public String system() {
            return "rawQueue";
        }

        @Override
        void offer(byte[] item) {
            cluster.instance(0).<byte[]>getQueue(queue).offer(item);
        }

        @Override
        boolean takeOne(int node, LongConsumer arrivals) throws InterruptedException {
            IQueue<byte[]> ready = cluster.instance(node).getQueue(queue);
            byte[] item = ready.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (item == null) {
                return false;
            }
            arrivals.accept(Payloads.sentNanos(item));
            return true;
        }
    }

    /**
     * A raw IQueue whose consumers take as Cohort's Hazelcast adapter does: a two-phase transaction polls the queue
     * and records the item in an in-flight map, and the item leaves that map once it ran. That is what lets the
     * others run an item again when its node dies. Its partition has the same owner as Cohort's queue of ready tasks.
     */
    private static final class RawTransactionalQueue extends PollingQueue {

        private static final String IN_FLIGHT = "bench.raw.inflight";
        private static final TransactionOptions OPTIONS = new TransactionOptions()
                .setTransactionType(TransactionOptions.TransactionType.TWO_PHASE)
                .setDurability(1)
                .setTimeout(30, TimeUnit.SECONDS);

        private final BenchCluster cluster;
        private final String queue;

        RawTransactionalQueue(BenchCluster cluster) {
            this.cluster = cluster;
            this.queue = sameOwnerAsCohort(cluster, "bench.raw.txtasks.");
        }

        @Override
        public String system() {
            return "rawTransactionalQueue";
        }

        @Override
        void offer(byte[] item) {
            cluster.instance(0).<byte[]>getQueue(queue).offer(item);
        }

        @Override
        boolean takeOne(int node, LongConsumer arrivals) throws InterruptedException {
            HazelcastInstance instance = cluster.instance(node);
            TransactionContext context = instance.newTransactionContext(OPTIONS);
            context.beginTransaction();
            byte[] item;
            String key;
            try {
                item = context.<byte[]>getQueue(queue).poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                key = item == null ? null : Long.toString(Payloads.sequence(item));
                if (item != null) {
                    context.<String, byte[]>getMap(IN_FLIGHT).set(key, item);
                }
                context.commitTransaction();
            } catch (RuntimeException | InterruptedException e) {
                context.rollbackTransaction();
                throw e;
            }
            if (item == null) {
                return false;
            }
            arrivals.accept(Payloads.sentNanos(item));
            IMap<String, byte[]> inFlight = instance.getMap(IN_FLIGHT);
            inFlight.delete(key);
            return true;
        }
    }

    /** A Redisson blocking queue of byte arrays: a Redis list with RPUSH and a blocking pop on each node. */
    private static final class RedissonQueue extends PollingQueue {

        private static final String QUEUE = "bench:tasks";

        private final RedisClients redis;

        RedissonQueue(RedisClients redis) {
            this.redis = redis;
        }

        @Override
        public String system() {
            return "redissonQueue";
        }

        @Override
        void offer(byte[] item) {
            redis.client(0).<byte[]>getBlockingQueue(QUEUE, ByteArrayCodec.INSTANCE).offer(item);
        }

        @Override
        boolean takeOne(int node, LongConsumer arrivals) throws InterruptedException {
            RBlockingQueue<byte[]> queue = redis.client(node).getBlockingQueue(QUEUE, ByteArrayCodec.INSTANCE);
            byte[] item = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (item == null) {
                return false;
            }
            arrivals.accept(Payloads.sentNanos(item));
            return true;
        }
    }
}
