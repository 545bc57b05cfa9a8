package io.cohort.core.memory;

import java.util.function.Consumer;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;

import org.osgi.service.component.annotations.Component;

/**
 * The in-process pub/sub adapter: envelopes reach the listeners of their topic in this JVM only, through a
 * {@link LocalBus}.
 *
 * <p>The OSGi component owns a bus of its own, so one node is one cluster. Tests build several adapters on one shared
 * bus to simulate several nodes. {@link #publish} calls the listeners on the publishing thread without holding a lock
 * (see {@link LocalBus}), so envelopes from one publishing thread reach each listener in publish order.
 *
 * <p>The adapter joins its bus when it is created. {@link #listenSinceJoin} replays what the bus still keeps of the
 * topic since then: the last {@value LocalBus#HISTORY_PER_TOPIC} envelopes of each topic, during the first ten minutes
 * of the bus ({@link LocalBus#HISTORY_PERIOD}); after that period it starts with the next envelope.
 */
@Component(service = PubSubAdapter.class, property = Adapters.NAME_PROPERTY + "=" + Adapters.MEMORY,
        immediate = true)
public final class MemoryPubSubAdapter implements PubSubAdapter {

    private final LocalBus bus;
    private final long joinedAtMillis;
    private final long joinSequence;

    /** Creates the adapter of a single node, with a bus of its own. */
    public MemoryPubSubAdapter() {
        this(new LocalBus());
    }

    /** Creates an adapter on {@code bus}, which other adapters in this JVM may share. */
    public MemoryPubSubAdapter(LocalBus bus) {
        if (bus == null) {
            throw new IllegalArgumentException("bus is null; expected a LocalBus");
        }
        this.bus = bus;
        this.joinedAtMillis = System.currentTimeMillis();
        this.joinSequence = bus.lastSequence();
    }

    @Override
    public void publish(String topic, Envelope envelope) {
        bus.publish(topic, envelope);
    }

    @Override
    public Registration listen(String topic, Consumer<Envelope> listener) {
        return bus.listen(topic, listener);
    }

    @Override
    public long joinedAtMillis() {
        return joinedAtMillis;
    }

    @Override
    public Registration listenSinceJoin(String topic, Consumer<Envelope> listener) {
        return bus.listenFrom(topic, joinSequence, listener);
    }
}
