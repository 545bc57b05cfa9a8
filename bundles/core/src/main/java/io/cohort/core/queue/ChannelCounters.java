package io.cohort.core.queue;

import java.util.concurrent.atomic.LongAdder;

/** Task counts of one channel on this node since the node started; thread safe. */
public final class ChannelCounters {

    private final LongAdder published = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder dead = new LongAdder();

    /** Returns how many tasks this node published on the channel. */
    public long published() {
        return published.sum();
    }

    /** Returns how many tasks this node's consumers completed. */
    public long completed() {
        return completed.sum();
    }

    /** Returns how many failed attempts this node's consumers queued again for a retry. */
    public long retried() {
        return retried.sum();
    }

    /** Returns how many tasks this node's consumers moved to the dead letters. */
    public long dead() {
        return dead.sum();
    }

    void onPublished() {
        published.increment();
    }

    void onCompleted() {
        completed.increment();
    }

    void onRetried() {
        retried.increment();
    }

    void onDead() {
        dead.increment();
    }

    @Override
    public String toString() {
        return "published=" + published() + ", completed=" + completed() + ", retried=" + retried() + ", dead="
                + dead();
    }
}
