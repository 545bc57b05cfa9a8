package io.cohort.hazelcast;

import java.util.Map;

import org.junit.BeforeClass;

/** The lock scenarios with the CP subsystem in unsafe mode, the default. */
public class HazelcastLockAdapterUnsafeTest extends LockAdapterScenarios {

    @BeforeClass
    public static void startCluster() {
        start("cohort-test-lock-unsafe", 5816, Map.of(MemberSettings.CP_SESSION_TTL_SECONDS, 5,
                MemberSettings.CP_HEARTBEAT_SECONDS, 1));
    }

    @Override
    protected String expectedMode() {
        return "cp-unsafe (cp.member.count=0)";
    }
}
