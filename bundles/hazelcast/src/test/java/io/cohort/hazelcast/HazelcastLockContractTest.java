package io.cohort.hazelcast;

import java.util.ArrayList;
import java.util.List;

import io.cohort.api.spi.LockAdapter;
import io.cohort.core.lock.LockContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/** The lock contract on three Hazelcast members in the CP subsystem's unsafe mode; ports 6036-6040. */
public class HazelcastLockContractTest extends LockContract {

    private static TestCluster cluster;
    private static final List<HazelcastLockAdapter> ADAPTERS = new ArrayList<>();

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-lock-contract", 6036, 3);
        for (HazelcastMember member : cluster.members()) {
            ADAPTERS.add(new HazelcastLockAdapter(member.instance(), member.settings()));
        }
    }

    @AfterClass
    public static void stopCluster() {
        ADAPTERS.clear();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected LockAdapter adapter(int node) {
        return ADAPTERS.get(node);
    }

    @Override
    protected String adapterName() {
        return HazelcastMember.ADAPTER_NAME;
    }
}
