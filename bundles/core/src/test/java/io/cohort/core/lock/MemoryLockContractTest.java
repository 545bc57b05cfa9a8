package io.cohort.core.lock;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.LockAdapter;
import io.cohort.core.memory.MemoryLockAdapter;

/** The lock contract on the in-process adapter, which every node of one process shares. */
public class MemoryLockContractTest extends LockContract {

    private final MemoryLockAdapter adapter = new MemoryLockAdapter();

    @Override
    protected LockAdapter adapter(int node) {
        return adapter;
    }

    @Override
    protected String adapterName() {
        return Adapters.MEMORY;
    }
}
