package io.cohort.core.node;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.memory.MemoryEventQueueAdapter;
import io.cohort.core.memory.MemoryPubSubAdapter;

/** The application isolation contract on the in-process adapters, which every node of one process shares. */
public class MemoryApplicationIsolationContractTest extends ApplicationIsolationContract {

    private final MemoryPubSubAdapter pubSub = new MemoryPubSubAdapter();
    private final MemoryEventQueueAdapter queue = new MemoryEventQueueAdapter();

    @Override
    protected PubSubAdapter pubSubAdapter(int node) {
        return pubSub;
    }

    @Override
    protected EventQueueAdapter queueAdapter(int node) {
        return queue;
    }

    @Override
    protected String adapterName() {
        return Adapters.MEMORY;
    }
}
