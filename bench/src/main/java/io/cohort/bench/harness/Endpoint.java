package io.cohort.bench.harness;

import java.util.function.LongConsumer;

/**
 * One implementation under load: it sends items from node 0 and reports each arrival elsewhere with the send time
 * the item carries. For pub/sub an arrival is a delivery on node 1; for a queue it is the start of a task on any of
 * the three nodes.
 */
interface Endpoint extends AutoCloseable {

    /** Returns the system name, as the report shows it. */
    String system();

    /**
     * Starts receiving; {@code arrivals} gets the {@link System#nanoTime()} send time of each item that arrives, from
     * any thread.
     */
    void start(LongConsumer arrivals) throws Exception;

    /** Sends one item that carries {@code sentNanos}, from the calling thread. */
    void send(long sentNanos) throws Exception;

    /** Stops receiving and releases what {@link #start} set up. */
    @Override
    void close();
}
