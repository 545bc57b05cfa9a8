package io.cohort.hazelcast;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.core.cache.CacheStoreContract;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/**
 * The cache store contract on three Hazelcast members with near caches on, so that each node reads through its own
 * near cache; ports 6031-6035.
 */
public class HazelcastCacheStoreContractTest extends CacheStoreContract {

    private static TestCluster cluster;
    private static final List<HazelcastCacheStore> STORES = new ArrayList<>();

    @BeforeClass
    public static void startCluster() {
        cluster = TestCluster.start("cohort-test-cache-contract", 6031, NODES,
                Map.of(MemberSettings.NEAR_CACHE, "true"));
        for (HazelcastMember member : cluster.members()) {
            STORES.add(new HazelcastCacheStore(member.instance(), member.settings()));
        }
    }

    @AfterClass
    public static void stopCluster() {
        STORES.clear();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected CacheStoreAdapter store(int node) {
        return STORES.get(node);
    }

    @Override
    protected String storeName() {
        return HazelcastMember.ADAPTER_NAME;
    }
}
