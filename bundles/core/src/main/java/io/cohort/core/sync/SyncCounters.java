package io.cohort.core.sync;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of one sync channel on this node since the manager started. Receiving counts add up over the
 * subscriptions: one message taken by two subscriptions on this node counts twice.
 */
public final class SyncCounters {

    final LongAdder sent = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder handled = new LongAdder();
    final LongAdder failed = new LongAdder();

    /** Returns the current values. */
    public Counts snapshot() {
        return new Counts(sent.sum(), stored.sum(), received.sum(), duplicates.sum(), handled.sum(), failed.sum());
    }

    /**
     * A sync channel: a channel of the general {@code SyncMessageManager}, or a channel of one plugin's
     * {@code PluginContext.sendSync}.
     *
     * @param plugin the plugin name, or {@code null} for the general API
     * @param channel the channel
     */
    public record Key(String plugin, String channel) {

        @Override
        public String toString() {
            return plugin == null ? channel : "plugin " + plugin + " channel " + channel;
        }
    }

    /**
     * The totals of one sync channel at one moment.
     *
     * @param sent messages this node handed to the adapter, after commit for those bound to a transaction
     * @param stored durable messages this node wrote to the outbox; a relay sends them after commit
     * @param received messages from other nodes that reached a subscription, duplicates included
     * @param duplicates messages a subscription dropped because it had already taken their id
     * @param handled handler calls that returned normally
     * @param failed messages whose handler threw, or whose payload was not sync JSON
     */
    public record Counts(long sent, long stored, long received, long duplicates, long handled, long failed) {
    }
}
