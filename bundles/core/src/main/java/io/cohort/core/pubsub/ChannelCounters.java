package io.cohort.core.pubsub;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of one pub/sub channel on this node since the manager started. Counts of deliveries add up over the
 * subscribers: one message handled by three subscribers counts three times.
 */
public final class ChannelCounters {

    final LongAdder published = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder dropped = new LongAdder();

    /** Returns the current values. */
    public Counts snapshot() {
        return new Counts(published.sum(), delivered.sum(), failed.sum(), dropped.sum());
    }

    /**
     * The totals of one channel at one moment.
     *
     * @param published messages this node published on the channel, in every delivery mode
     * @param delivered handler calls that returned normally
     * @param failed messages a subscriber could not take: the payload could not be read as the subscription's type,
     *     or the handler threw
     * @param dropped messages a subscriber never got on purpose: a debounced duplicate, or a message still waiting
     *     when its subscription closed
     */
    public record Counts(long published, long delivered, long failed, long dropped) {
    }
}
