package io.cohort.hazelcast;

import java.util.HashMap;
import java.util.Map;

import com.hazelcast.core.HazelcastInstance;

/**
 * Starts Cohort's Hazelcast members and adapters inside a benchmark JVM, outside OSGi, through the package-private
 * constructors that the adapters' own unit tests use.
 *
 * <p>This class is part of the bench module only. It declares the adapters' package so that the compiler checks
 * every call against the real signatures. The split package is harmless on the benchmark's flat class path.
 */
public final class EmbeddedMembers {

    private EmbeddedMembers() {
    }

    /**
     * Starts one member that binds 127.0.0.1 and joins the others over TCP/IP, with multicast and auto-detection off.
     *
     * @param clusterName the cluster name; unique per run, so that no other cluster on the host merges with it
     * @param port the first port this member may bind
     * @param portCount how many ports from {@code port} on it may try
     * @param members the join list, for example {@code 127.0.0.1:5881-5883}
     * @param cpMemberCount 0 for CP unsafe mode, 3 or more for Raft
     * @param nearCache whether the cache store's regions get a near cache on this member
     */
    public static HazelcastMember start(String clusterName, int port, int portCount, String members,
            int cpMemberCount, boolean nearCache) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(MemberSettings.CLUSTER_NAME, clusterName);
        settings.put(MemberSettings.INTERFACE, "127.0.0.1");
        settings.put(MemberSettings.PORT, port);
        settings.put(MemberSettings.PORT_COUNT, portCount);
        settings.put(MemberSettings.MEMBERS, members);
        settings.put(MemberSettings.CP_MEMBER_COUNT, cpMemberCount);
        settings.put(MemberSettings.NEAR_CACHE, nearCache);
        return new HazelcastMember(MemberSettings.parse(settings), null);
    }

    /** Returns the member's Hazelcast instance, for the raw baselines on the same member. */
    public static HazelcastInstance instance(HazelcastMember member) {
        return member.instance();
    }

    /** Returns the topic capacity the member's reliable topics use, so a raw topic can get the same ringbuffer. */
    public static int topicCapacity(HazelcastMember member) {
        return member.settings().topicCapacity();
    }

    /** Returns how many messages each reliable topic listener reads per call in Cohort's configuration. */
    public static int topicReadBatchSize() {
        return MemberConfigFactory.TOPIC_READ_BATCH_SIZE;
    }

    /** Returns the name of the reliable topic behind Cohort topic {@code topic} ({@code <app>:<channel>}). */
    public static String topicName(String topic) {
        return GridNames.topic(topic);
    }

    /** Returns the name of the fenced lock behind Cohort lock key {@code key} ({@code <app>:<key>}). */
    public static String lockName(String key) {
        return GridNames.lock(key);
    }

    /** Returns the name of the IQueue of ready tasks behind Cohort queue {@code queue} ({@code <app>:<channel>}). */
    public static String readyQueueName(String queue) {
        return GridNames.readyQueue(queue);
    }

    /** Returns the near cache size per region in the member's settings. */
    public static int nearCacheMaxEntries(HazelcastMember member) {
        return member.settings().nearCacheMaxEntries();
    }

    /**
     * Creates a cache store on {@code member} whose regions have a near cache or not, whatever the member's own
     * setting. A benchmark measures both kinds of region on one cluster this way.
     */
    public static HazelcastCacheStore cacheStore(HazelcastMember member, boolean nearCache) {
        MemberSettings s = member.settings();
        MemberSettings changed = new MemberSettings(s.clusterName(), s.bindInterface(), s.port(), s.portCount(),
                s.members(), s.cpMemberCount(), s.cpSessionTtlSeconds(), s.cpHeartbeatSeconds(),
                s.gracefulShutdown(), s.shutdownTimeoutSeconds(), nearCache, s.nearCacheMaxEntries(),
                s.topicCapacity(), s.configFile());
        return new HazelcastCacheStore(member.instance(), changed);
    }

    /** Stops the adapter as its component deactivation would. */
    public static void stop(HazelcastPubSubAdapter adapter) {
        adapter.deactivate();
    }

    /** Stops the adapter as its component deactivation would. */
    public static void stop(HazelcastEventQueueAdapter adapter) {
        adapter.deactivate();
    }

    /** Stops the adapter as its component deactivation would. */
    public static void stop(HazelcastLockAdapter adapter) {
        adapter.deactivate();
    }

    /** Returns how many messages the adapter's listeners lost by falling more than the topic capacity behind. */
    public static long lostMessages(HazelcastPubSubAdapter adapter) {
        return adapter.lostMessages();
    }

    /** Stops the member at once, without handing partitions over; a graceful stop costs about 2 s per member. */
    public static void terminate(HazelcastMember member) {
        member.terminate();
    }
}
