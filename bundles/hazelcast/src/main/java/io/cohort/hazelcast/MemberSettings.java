package io.cohort.hazelcast;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated settings of the Hazelcast member (configuration PID {@value HazelcastMember#PID}). Every setting has
 * a default that is safe on a laptop: the member binds and talks only to 127.0.0.1. Each setting overrides the same
 * setting in {@code hazelcast.yaml}; the yaml file supplies everything this record does not cover.
 *
 * @param clusterName {@code cluster.name}: members join only a cluster of the same name; default {@code cohort}
 * @param bindInterface {@code interface}: the IPv4 address the member binds and advertises; default
 *     {@code 127.0.0.1}. Set a host address for a cluster that spans hosts; empty keeps the interfaces of
 *     {@code hazelcast.yaml}
 * @param port {@code port}: the first port the member tries; default 5701
 * @param portCount {@code port.count}: how many ports from {@code port} on the member may take when earlier ones are
 *     busy, 1 to 100; default 10 (5701 to 5710). Too low and a second node on the same host cannot start; too high
 *     only widens the range to scan
 * @param members {@code members}: comma-separated {@code host:port} or {@code host:first-last} addresses that the
 *     member contacts to join (TCP/IP join; multicast and auto-detection stay off); default
 *     {@code 127.0.0.1:5701-5710}. Empty keeps the join configuration of {@code hazelcast.yaml}, which must then exist
 * @param cpMemberCount {@code cp.member.count}: 0 runs the CP subsystem (locks) in unsafe mode on the partitions, or
 *     3 or more members form Raft groups; default 0. Unsafe mode needs no quorum but its locks are not safe against
 *     network partitions; with Raft, locks wait until that many members have joined
 * @param cpSessionTtlSeconds {@code cp.session.ttl.seconds}: how long the CP session of a member that stopped
 *     sending heartbeats lives, which is how long the locks of a killed node stay held; 2 to 3600, default 10. Lower
 *     frees such locks sooner, but a live holder paused longer than this (GC, swapping, a stopped VM) loses its
 *     session and its locks while it still runs. Must be greater than the heartbeat
 * @param cpHeartbeatSeconds {@code cp.heartbeat.seconds}: interval of CP session heartbeats; default 2. Must be
 *     less than the session ttl; keep it at most a third of it so that one late heartbeat does not end a session
 * @param gracefulShutdown {@code shutdown.graceful}: whether stopping the member first hands its partitions to the
 *     others (true, the default) or drops out at once and lets them recover from backups (false)
 * @param shutdownTimeoutSeconds {@code shutdown.timeout.seconds}: the longest a graceful shutdown waits for the
 *     partition hand-over, 1 to 3600; default 30. Too low and a large member stops before its data has moved, so the
 *     others fall back to backups
 * @param nearCache {@code near.cache}: whether each member keeps a near cache of the cache regions it reads;
 *     default false. Reads of hot keys become local, but a read can return the old value until the invalidation
 *     from another member's write arrives
 * @param nearCacheMaxEntries {@code near.cache.max.entries}: entries per region in each member's near cache, at
 *     least 1; default 10000
 * @param topicCapacity {@code topic.capacity}: messages kept per pub/sub topic for listeners that fall behind, 1 to
 *     10000000; default 10000. A listener further behind than this loses the oldest messages, which it logs and
 *     counts. Each topic keeps up to this many messages on its owner and on its backup
 * @param configFile {@code config.file}: path of the Hazelcast yaml file; empty (the default) means
 *     {@code ${cohort.home}/etc/hazelcast.yaml}, used only if it exists. A relative path is resolved against
 *     {@code cohort.home}
 */
record MemberSettings(String clusterName, String bindInterface, int port, int portCount, List<String> members,
        int cpMemberCount, int cpSessionTtlSeconds, int cpHeartbeatSeconds, boolean gracefulShutdown,
        int shutdownTimeoutSeconds, boolean nearCache, int nearCacheMaxEntries, int topicCapacity,
        String configFile) {

    static final String CLUSTER_NAME = "cluster.name";
    static final String INTERFACE = "interface";
    static final String PORT = "port";
    static final String PORT_COUNT = "port.count";
    static final String MEMBERS = "members";
    static final String CP_MEMBER_COUNT = "cp.member.count";
    static final String CP_SESSION_TTL_SECONDS = "cp.session.ttl.seconds";
    static final String CP_HEARTBEAT_SECONDS = "cp.heartbeat.seconds";
    static final String SHUTDOWN_GRACEFUL = "shutdown.graceful";
    static final String SHUTDOWN_TIMEOUT_SECONDS = "shutdown.timeout.seconds";
    static final String NEAR_CACHE = "near.cache";
    static final String NEAR_CACHE_MAX_ENTRIES = "near.cache.max.entries";
    static final String TOPIC_CAPACITY = "topic.capacity";
    static final String CONFIG_FILE = "config.file";

    /** Every setting key, sorted. */
    static final Set<String> KEYS = Collections.unmodifiableSet(new TreeSet<>(List.of(CLUSTER_NAME, INTERFACE, PORT,
            PORT_COUNT, MEMBERS, CP_MEMBER_COUNT, CP_SESSION_TTL_SECONDS, CP_HEARTBEAT_SECONDS, SHUTDOWN_GRACEFUL,
            SHUTDOWN_TIMEOUT_SECONDS, NEAR_CACHE, NEAR_CACHE_MAX_ENTRIES, TOPIC_CAPACITY, CONFIG_FILE)));

    private static final int MAX_PORT = 65_535;
    private static final int MAX_PORT_COUNT = 100;
    private static final int MAX_MEMBER_ADDRESSES = 1_000;
    private static final int MAX_SECONDS = 3_600;
    private static final int MAX_TOPIC_CAPACITY = 10_000_000;
    private static final int MIN_RAFT_MEMBERS = 3;
    private static final int MAX_CP_MEMBERS = 100;
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern MEMBER = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(?::(\\d+)(?:-(\\d+))?)?");

    MemberSettings {
        members = List.copyOf(members);
    }

    /** Returns each setting's value under its key, in the order of the record's components. */
    Map<String, Object> byKey() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(CLUSTER_NAME, clusterName);
        values.put(INTERFACE, bindInterface);
        values.put(PORT, port);
        values.put(PORT_COUNT, portCount);
        values.put(MEMBERS, members);
        values.put(CP_MEMBER_COUNT, cpMemberCount);
        values.put(CP_SESSION_TTL_SECONDS, cpSessionTtlSeconds);
        values.put(CP_HEARTBEAT_SECONDS, cpHeartbeatSeconds);
        values.put(SHUTDOWN_GRACEFUL, gracefulShutdown);
        values.put(SHUTDOWN_TIMEOUT_SECONDS, shutdownTimeoutSeconds);
        values.put(NEAR_CACHE, nearCache);
        values.put(NEAR_CACHE_MAX_ENTRIES, nearCacheMaxEntries);
        values.put(TOPIC_CAPACITY, topicCapacity);
        values.put(CONFIG_FILE, configFile);
        return values;
    }

    /** Returns the settings with every default. */
    static MemberSettings defaults() {
        return parse(Map.of());
    }

    /**
     * Reads and validates settings from configuration properties; missing keys take their defaults. Values may be
     * strings (as in a {@code .cfg} file), numbers or booleans.
     *
     * @throws IllegalArgumentException naming every invalid setting, its value and what is allowed
     */
    static MemberSettings parse(Map<String, ?> properties) {
        Reader reader = new Reader(properties);
        String clusterName = reader.text(CLUSTER_NAME, "cohort");
        if (clusterName.isEmpty()) {
            reader.invalid(CLUSTER_NAME, clusterName, "a non-empty cluster name");
        }
        String bindInterface = reader.text(INTERFACE, "127.0.0.1");
        if (!bindInterface.isEmpty() && !IPV4.matcher(bindInterface).matches()) {
            reader.invalid(INTERFACE, bindInterface, "an IPv4 address such as 127.0.0.1, or empty");
        } else if (bindInterface.equals("0.0.0.0")) {
            reader.invalid(INTERFACE, bindInterface, "this machine's own address, which the member binds and "
                    + "advertises to the others (0.0.0.0 would listen on every network and advertise an address no "
                    + "member can reach)");
        }
        Integer port = reader.integer(PORT, 5701, 1, MAX_PORT);
        Integer portCount = reader.integer(PORT_COUNT, 10, 1, MAX_PORT_COUNT);
        if (port != null && portCount != null && port + portCount - 1 > MAX_PORT) {
            reader.invalid(PORT_COUNT, portCount, "at most " + (MAX_PORT - port + 1) + " ports from port " + port);
        }
        List<String> members = reader.members(reader.text(MEMBERS, "127.0.0.1:5701-5710"));

        Integer cpMemberCount = reader.integer(CP_MEMBER_COUNT, 0, 0, MAX_CP_MEMBERS);
        if (cpMemberCount != null && cpMemberCount > 0 && cpMemberCount < MIN_RAFT_MEMBERS) {
            reader.invalid(CP_MEMBER_COUNT, cpMemberCount, "0 for unsafe mode, or 3 or more for Raft");
        }
        Integer sessionTtl = reader.integer(CP_SESSION_TTL_SECONDS, 10, 2, MAX_SECONDS);
        Integer heartbeat = reader.integer(CP_HEARTBEAT_SECONDS, 2, 1, MAX_SECONDS);
        if (sessionTtl != null && heartbeat != null && heartbeat >= sessionTtl) {
            reader.invalid(CP_HEARTBEAT_SECONDS, heartbeat, "less than " + CP_SESSION_TTL_SECONDS + " ("
                    + sessionTtl + ")");
        }
        boolean gracefulShutdown = reader.bool(SHUTDOWN_GRACEFUL, true);
        Integer shutdownTimeout = reader.integer(SHUTDOWN_TIMEOUT_SECONDS, 30, 1, MAX_SECONDS);
        boolean nearCache = reader.bool(NEAR_CACHE, false);
        Integer nearCacheMaxEntries = reader.integer(NEAR_CACHE_MAX_ENTRIES, 10_000, 1, Integer.MAX_VALUE);
        Integer topicCapacity = reader.integer(TOPIC_CAPACITY, 10_000, 1, MAX_TOPIC_CAPACITY);
        String configFile = reader.text(CONFIG_FILE, "");

        reader.throwIfInvalid();
        return new MemberSettings(clusterName, bindInterface, port, portCount, members, cpMemberCount, sessionTtl,
                heartbeat, gracefulShutdown, shutdownTimeout, nearCache, nearCacheMaxEntries, topicCapacity,
                configFile);
    }

    /** Returns a short description of the CP mode, for logs and {@code cohort:info}. */
    String cpMode() {
        return cpMemberCount == 0 ? "cp-unsafe (cp.member.count=0)" : "raft (cp.member.count=" + cpMemberCount + ")";
    }

    /**
     * Reads the settings from configuration properties and collects every invalid value, so that one message names
     * them all. A getter returns {@code null} for an invalid number, so that checks across two settings skip it.
     */
    private static final class Reader {

        private final Map<String, ?> properties;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, ?> properties) {
            this.properties = properties;
        }

        void invalid(String key, Object value, String expected) {
            problems.add(key + " '" + value + "' is invalid; expected " + expected);
        }

        /**
         * Throws one exception that names every invalid value. A single problem reads
         * {@code <pid> setting <key> '<value>' is invalid; expected <what>}, and several are joined by {@code |}.
         */
        void throwIfInvalid() {
            if (problems.size() == 1) {
                throw new IllegalArgumentException(HazelcastMember.PID + " setting " + problems.get(0));
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(HazelcastMember.PID + " has " + problems.size()
                        + " invalid settings: " + String.join(" | ", problems));
            }
        }

        /** Expands {@code host:first-last} entries into one address per port. */
        List<String> members(String value) {
            List<String> addresses = new ArrayList<>();
            for (String entry : value.split(",")) {
                String member = entry.trim();
                if (member.isEmpty()) {
                    continue;
                }
                Matcher matcher = MEMBER.matcher(member);
                if (!matcher.matches()) {
                    invalid(MEMBERS, value, "comma-separated host:port or host:first-last entries");
                    return List.of();
                }
                String host = matcher.group(1);
                if (matcher.group(2) == null) {
                    addresses.add(host);
                    continue;
                }
                int first = Integer.parseInt(matcher.group(2));
                int last = matcher.group(3) == null ? first : Integer.parseInt(matcher.group(3));
                if (first < 1 || last > MAX_PORT || last < first) {
                    invalid(MEMBERS, value, "ports from 1 to " + MAX_PORT + " with first <= last in " + member);
                    return List.of();
                }
                for (int port = first; port <= last; port++) {
                    addresses.add(host + ":" + port);
                }
                if (addresses.size() > MAX_MEMBER_ADDRESSES) {
                    invalid(MEMBERS, value, "at most " + MAX_MEMBER_ADDRESSES + " addresses in all");
                    return List.of();
                }
            }
            return addresses;
        }

        String text(String key, String defaultValue) {
            Object value = properties.get(key);
            return value == null ? defaultValue : value.toString().trim();
        }

        /** Returns the whole number of {@code key}, or {@code null} after recording an invalid value. */
        Integer integer(String key, int defaultValue, int min, int max) {
            Object value = properties.get(key);
            if (value == null) {
                return defaultValue;
            }
            long number;
            if (value instanceof Number given) {
                number = given.longValue();
            } else {
                try {
                    number = Long.parseLong(value.toString().trim());
                } catch (NumberFormatException e) {
                    invalid(key, value, "a whole number from " + min + " to " + max);
                    return null;
                }
            }
            if (number < min || number > max) {
                invalid(key, value, "a whole number from " + min + " to " + max);
                return null;
            }
            return (int) number;
        }

        boolean bool(String key, boolean defaultValue) {
            Object value = properties.get(key);
            if (value == null) {
                return defaultValue;
            }
            if (value instanceof Boolean given) {
                return given;
            }
            String text = value.toString().trim().toLowerCase(Locale.ROOT);
            if (!text.equals("true") && !text.equals("false")) {
                invalid(key, value, "true or false");
                return defaultValue;
            }
            return Boolean.parseBoolean(text);
        }
    }
}
