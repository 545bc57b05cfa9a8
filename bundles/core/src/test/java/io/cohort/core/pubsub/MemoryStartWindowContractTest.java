package io.cohort.core.pubsub;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.memory.MemoryPubSubAdapter;

/** The start window contract on in-process adapters that share one bus. */
public class MemoryStartWindowContractTest extends StartWindowContract {

    private final LocalBus bus = new LocalBus();
    private final MemoryPubSubAdapter early = new MemoryPubSubAdapter(bus);

    @Override
    protected PubSubAdapter earlyNode() {
        return early;
    }

    @Override
    protected PubSubAdapter joinNode() {
        return new MemoryPubSubAdapter(bus);
    }

    @Override
    protected String adapterName() {
        return Adapters.MEMORY;
    }
}
