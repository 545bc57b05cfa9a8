package io.cohort.hazelcast;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real Hazelcast members in this JVM, started one after another through {@link HazelcastMember} so that the loopback
 * configuration is the one a node uses. Each test class uses its own range of {@value #PORTS_PER_CLUSTER} ports in
 * 5801-5820 or 6031-6060, away from the 5701-5710 default of real nodes, and a cluster name that carries this JVM's
 * pid, so that a concurrent build on the same host never merges with this one.
 */
final class TestCluster implements AutoCloseable {

    /** Ports reserved per cluster: room for the members a test adds. */
    static final int PORTS_PER_CLUSTER = 5;

    private final String name;
    private final int basePort;
    private final Map<String, Object> extraSettings;
    private final List<HazelcastMember> members = new ArrayList<>();

    private TestCluster(String name, int basePort, Map<String, Object> extraSettings) {
        this.name = name + "-" + ProcessHandle.current().pid();
        this.basePort = basePort;
        this.extraSettings = extraSettings;
    }

    /** Starts {@code size} members of cluster {@code name} from {@code basePort} on, and waits until each lists all. */
    static TestCluster start(String name, int basePort, int size, Map<String, Object> extraSettings) {
        TestCluster cluster = new TestCluster(name, basePort, extraSettings);
        try {
            for (int i = 0; i < size; i++) {
                cluster.addMember();
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    static TestCluster start(String name, int basePort, int size) {
        return start(name, basePort, size, Map.of());
    }

    /** Starts one more member on the first free port of the range and waits until every member lists it. */
    HazelcastMember addMember() {
        Map<String, Object> settings = new HashMap<>(extraSettings);
        settings.put(MemberSettings.CLUSTER_NAME, name);
        settings.put(MemberSettings.PORT, basePort);
        settings.put(MemberSettings.PORT_COUNT, PORTS_PER_CLUSTER);
        settings.put(MemberSettings.MEMBERS, "127.0.0.1:" + basePort + "-" + (basePort + PORTS_PER_CLUSTER - 1));
        HazelcastMember member = new HazelcastMember(MemberSettings.parse(settings), null);
        members.add(member);
        int expected = members.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> members.stream()
                .allMatch(m -> m.instance().getCluster().getMembers().size() == expected));
        return member;
    }

    HazelcastMember member(int index) {
        return members.get(index);
    }

    List<HazelcastMember> members() {
        return List.copyOf(members);
    }

    /** Kills {@code member} as a crash would, and waits until the others no longer list it. */
    void kill(HazelcastMember member) {
        member.terminate();
        members.remove(member);
        int expected = members.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> members.stream()
                .allMatch(m -> m.instance().getCluster().getMembers().size() == expected));
    }

    /** Waits until no partition is migrating and every backup is in place. */
    void awaitSafe() {
        await().atMost(Duration.ofSeconds(30)).until(() -> members.get(0).instance().getPartitionService()
                .isClusterSafe());
    }

    /** Terminates every member; a graceful shutdown would cost about 2 s per member. */
    @Override
    public void close() {
        for (int i = members.size() - 1; i >= 0; i--) {
            members.get(i).terminate();
        }
        members.clear();
    }
}
