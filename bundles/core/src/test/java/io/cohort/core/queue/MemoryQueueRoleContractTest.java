package io.cohort.core.queue;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.core.memory.MemoryEventQueueAdapter;

/** The worker role contract on the in-process queue, which every node of one process shares. */
public class MemoryQueueRoleContractTest extends QueueRoleContract {

    private final MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter();

    @Override
    protected EventQueueAdapter queueAdapter(int node) {
        return adapter;
    }

    @Override
    protected String adapterName() {
        return Adapters.MEMORY;
    }
}
