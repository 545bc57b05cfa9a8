package io.cohort.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.Address;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.session.CPSession;
import com.hazelcast.cp.session.CPSessionManagementService;

import org.junit.BeforeClass;
import org.junit.Test;

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

    /** Sessions can be closed by hand only with Raft; in unsafe mode the CP subsystem offers no session service. */
    @Test
    public void isGranted_sessionClosed_false() throws Exception {
        String key = key();
        long token = adapter(0).lock(key);
        assertTrue(adapter(0).isGranted(key, token));

        closeSessionsOfMember(0, key);

        assertFalse(adapter(0).isGranted(key, token));
        assertFalse(adapter(0).unlock(key, token));
        OptionalLong other = adapter(1).tryLock(key, Duration.ofSeconds(10));
        assertTrue(other.isPresent());
        assertTrue(adapter(1).unlock(key, other.getAsLong()));
        // The owner id of the lost grant serves the next request of this node again.
        long again = adapter(0).lock(key);
        assertTrue(adapter(0).isGranted(key, again));
        assertTrue(adapter(0).unlock(key, again));
    }

    /**
     * Ends the CP sessions of a member in the CP group of {@code key}'s lock, as the group does when the member sends
     * no heartbeat for {@code cp.session.ttl.seconds}.
     */
    private static void closeSessionsOfMember(int member, String key) throws Exception {
        HazelcastInstance instance = cluster.member(member).instance();
        String group = instance.getCPSubsystem().getLock(GridNames.lock(key)).getGroupId().getName();
        CPSessionManagementService sessions = instance.getCPSubsystem().getCPSessionManagementService();
        Address address = instance.getCluster().getLocalMember().getAddress();
        int closed = 0;
        for (CPSession session : sessions.getAllSessions(group).toCompletableFuture().get(10, TimeUnit.SECONDS)) {
            if (session.endpoint().equals(address) && sessions.forceCloseSession(group, session.id())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS)) {
                closed++;
            }
        }
        assertTrue("closed sessions: " + closed, closed > 0);
    }
}
