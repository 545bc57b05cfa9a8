package io.cohort.hazelcast;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.BeforeClass;

/** The lock scenarios with three CP members running Raft. A member added later is not a CP member. */
public class HazelcastLockAdapterRaftTest extends LockAdapterScenarios {

    @BeforeClass
    public static void startCluster() {
        start("cohort-test-lock-raft", 5821, Map.of(MemberSettings.CP_MEMBER_COUNT, 3,
                MemberSettings.CP_SESSION_TTL_SECONDS, 5, MemberSettings.CP_HEARTBEAT_SECONDS, 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.members().stream().allMatch(member -> member
                .instance().getCPSubsystem().getCPSubsystemManagementService().isDiscoveryCompleted()));
    }

    @Override
    protected String expectedMode() {
        return "raft (cp.member.count=3)";
    }
}
