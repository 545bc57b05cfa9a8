package io.cohort.hazelcast;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import com.hazelcast.core.HazelcastInstance;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pub/sub adapter {@code hazelcast}: each topic is a Hazelcast reliable topic ({@code cohort.topic.<topic>}),
 * whose messages live in a ringbuffer on one partition, with one backup.
 *
 * <p>Ordering: every message of a topic goes through that one ringbuffer, so all listeners on all nodes receive the
 * messages of a topic in the same order, and the messages of one publishing thread in publish order. Messages that
 * threads publish concurrently have no order among them until the ringbuffer assigns one. {@link #publish} returns
 * once the message is stored on the owner and its backup.
 *
 * <p>Slow listeners: each listener reads the ringbuffer at its own pace, in batches of
 * {@value MemberConfigFactory#TOPIC_READ_BATCH_SIZE}, and a publisher does not wait for listeners. The ringbuffer
 * keeps the last {@code topic.capacity} messages and then overwrites the oldest, so a listener more than that far
 * behind skips the overwritten messages. It logs a WARN with the number lost, counts them, and goes on with the
 * oldest message still kept. A listener that Hazelcast cancels after a read failure it cannot handle registers
 * again from the sequence it stopped at, with a WARN.
 *
 * <p>Join point: right after the member joins, it records the last sequence of the ringbuffer of every Cohort topic
 * listed by its member then ({@link JoinPoint}). {@link #listenSinceJoin} starts a listener right after that
 * sequence, so it receives every message published since the node joined that the ringbuffer still keeps. For a topic
 * the record lacks (created later, or not yet known to the new member), it reads the ringbuffer from its start and
 * skips the leading messages published before the join by the publisher's clock. That fallback depends on the
 * clocks: a publisher whose clock runs behind this node's can have a message right after the join skipped. A message
 * published in the milliseconds between the join and the record can be missed.
 *
 * <p><b>Warning:</b> a topic whose partition owner and backup die together loses the messages not yet read, and a
 * listener registered with {@link #listen} while messages are in flight receives only those published after its
 * registration.
 */
@Component(service = PubSubAdapter.class, property = Adapters.NAME_PROPERTY + "=" + HazelcastMember.ADAPTER_NAME)
public final class HazelcastPubSubAdapter implements PubSubAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastPubSubAdapter.class);

    private final HazelcastInstance instance;
    private final int capacity;
    private final JoinPoint joinPoint;
    private final Set<TopicRegistration> registrations = ConcurrentHashMap.newKeySet();
    private final ExecutorService restarter = Executors.newSingleThreadExecutor(
            runnable -> new Thread(runnable, "cohort-pubsub-restart-1"));

    /** Creates the adapter on the node's member. */
    @Activate
    public HazelcastPubSubAdapter(@Reference(name = "member") HazelcastMember member) {
        this(member.instance(), member.settings(), member.joinPoint());
    }

    HazelcastPubSubAdapter(HazelcastInstance instance, MemberSettings settings, JoinPoint joinPoint) {
        this.instance = instance;
        this.capacity = settings.topicCapacity();
        this.joinPoint = joinPoint;
        LOG.info("Hazelcast pub/sub adapter started on member {}; topics known at its join point: {}",
                instance.getCluster().getLocalMember().getUuid(), joinPoint.lastSequences().size());
    }

    /** Closes every listener this adapter registered. */
    @Deactivate
    void deactivate() {
        for (TopicRegistration registration : registrations) {
            registration.close();
        }
        restarter.shutdownNow();
        LOG.info("Hazelcast pub/sub adapter stopped");
    }

    @Override
    public void publish(String topic, Envelope envelope) {
        instance.<Envelope>getReliableTopic(GridNames.topic(topic)).publish(envelope);
    }

    @Override
    public Registration listen(String topic, Consumer<Envelope> listener) {
        return register(topic, listener, TopicRegistration.NEXT_PUBLISHED, 0);
    }

    @Override
    public long joinedAtMillis() {
        return joinPoint.joinedAtMillis();
    }

    @Override
    public Registration listenSinceJoin(String topic, Consumer<Envelope> listener) {
        Long lastAtJoin = joinPoint.lastSequences().get(topic);
        if (lastAtJoin != null) {
            return register(topic, listener, lastAtJoin + 1, 0);
        }
        // Not in the join point: read the whole ringbuffer, skipping what was published before the join by time.
        return register(topic, listener, 0, joinPoint.joinedAtMillis());
    }

    private Registration register(String topic, Consumer<Envelope> listener, long firstSequence,
            long notBeforeMillis) {
        TopicRegistration registration = new TopicRegistration(topic,
                instance.getReliableTopic(GridNames.topic(topic)), listener, capacity, restarter,
                () -> instance.getLifecycleService().isRunning(), registrations::remove);
        registrations.add(registration);
        try {
            registration.start(firstSequence, notBeforeMillis);
        } catch (RuntimeException e) {
            registrations.remove(registration);
            throw e;
        }
        LOG.debug("Listening to topic {} from sequence {}", topic, firstSequence);
        return registration;
    }

    int openRegistrations() {
        return registrations.size();
    }

    /** Returns how many messages the open listeners of this adapter lost by falling behind. */
    long lostMessages() {
        return registrations.stream().mapToLong(TopicRegistration::lostMessages).sum();
    }
}
