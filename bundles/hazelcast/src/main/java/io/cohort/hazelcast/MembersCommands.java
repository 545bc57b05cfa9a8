package io.cohort.hazelcast;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.CPMember;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gogo command {@code cohort:members [--json]}: the members of this node's Hazelcast cluster, oldest first, with
 * address, UUID, which one is this node, and each member's role in the CP subsystem that carries the locks.
 *
 * <p>CP roles: {@code none} for every member in unsafe mode ({@code cp.member.count} 0); with Raft, {@code cp} for
 * the members that form the CP groups and {@code ap} for the others, or {@code unknown} while the CP members are not
 * yet known (until {@code cp.member.count} members have joined) or cannot be read.
 *
 * <p>The member is an optional reference, so the command exists while the member is stopped and then reports why. This
 * bundle imports the Gogo package optionally: without Gogo the component is never called, and the bundle's adapters
 * run as usual.
 */
@Component(service = MembersCommands.class, property = {
    "osgi.command.scope=cohort",
    "osgi.command.function=members"
})
public final class MembersCommands {

    /** How long the command waits for the CP member list, which may need a call to another member. */
    static final long CP_MEMBERS_TIMEOUT_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(MembersCommands.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile HazelcastMember member;

    /**
     * One row of the listing.
     *
     * @param address the member's address, {@code host:port}
     * @param uuid the member's UUID, which changes each time the member starts
     * @param local whether the member is this node's
     * @param cpRole {@code none}, {@code cp}, {@code ap} or {@code unknown}, as described for the class
     */
    record MemberRow(String address, String uuid, boolean local, String cpRole) {
    }

    /**
     * The cluster as the local member lists it.
     *
     * @param clusterName the cluster name
     * @param cpMode {@code unsafe} or {@code raft}
     * @param cpMemberCount the configured {@code cp.member.count}
     * @param members the members, oldest first
     */
    record ClusterView(String clusterName, String cpMode, int cpMemberCount, List<MemberRow> members) {
    }

    @Descriptor("Lists the members of this node's Hazelcast cluster: address, UUID, this node's marker and CP role")
    public String members(
            @Descriptor("print JSON instead of a table")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        ClusterView view = view(requireMember());
        return json ? json(view) : text(view);
    }

    private HazelcastMember requireMember() {
        HazelcastMember current = member;
        if (current == null) {
            throw new IllegalStateException("The Hazelcast member of this node is not running: its configuration "
                    + HazelcastMember.PID + " (etc/io.cohort.hazelcast.cfg) is missing or invalid, or the member "
                    + "failed to start; the node's log says which");
        }
        return current;
    }

    /** Reads the member list and the CP roles from {@code current}'s instance. */
    static ClusterView view(HazelcastMember current) {
        HazelcastInstance instance = current.instance();
        MemberSettings settings = current.settings();
        Set<Member> members = instance.getCluster().getMembers();
        UUID localUuid = instance.getCluster().getLocalMember().getUuid();
        boolean raft = settings.cpMemberCount() > 0;
        Set<Address> cpAddresses = raft ? cpMemberAddresses(instance, settings.clusterName()) : Set.of();

        List<MemberRow> rows = new ArrayList<>(members.size());
        for (Member clusterMember : members) {
            String role;
            if (!raft) {
                role = "none";
            } else if (cpAddresses == null) {
                role = "unknown";
            } else {
                role = cpAddresses.contains(clusterMember.getAddress()) ? "cp" : "ap";
            }
            rows.add(new MemberRow(format(clusterMember.getAddress()), clusterMember.getUuid().toString(),
                    clusterMember.getUuid().equals(localUuid), role));
        }
        return new ClusterView(settings.clusterName(), raft ? "raft" : "unsafe", settings.cpMemberCount(), rows);
    }

    /** Returns the addresses of the CP members, or null when they are not known yet or cannot be read. */
    private static Set<Address> cpMemberAddresses(HazelcastInstance instance, String clusterName) {
        try {
            Collection<CPMember> cpMembers = instance.getCPSubsystem().getCPSubsystemManagementService()
                    .getCPMembers().toCompletableFuture().get(CP_MEMBERS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (cpMembers.isEmpty()) {
                return null;
            }
            return cpMembers.stream().map(CPMember::getAddress).collect(Collectors.toSet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("CP members of cluster {} not readable: {}", clusterName, e.toString());
            return null;
        }
    }

    /** Returns a summary line and an aligned table with one row per member. */
    static String text(ClusterView view) {
        StringBuilder text = new StringBuilder();
        text.append("Cluster ").append(view.clusterName()).append(": ").append(view.members().size())
                .append(view.members().size() == 1 ? " member" : " members").append(", CP subsystem ")
                .append(view.cpMode()).append(" (cp.member.count ").append(view.cpMemberCount()).append(")\n");

        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"ADDRESS", "UUID", "LOCAL", "CP ROLE"});
        for (MemberRow row : view.members()) {
            lines.add(new String[] {row.address(), row.uuid(), row.local() ? "*" : "", row.cpRole()});
        }
        int[] widths = new int[lines.get(0).length];
        for (String[] line : lines) {
            for (int column = 0; column < widths.length; column++) {
                widths[column] = Math.max(widths[column], line[column].length());
            }
        }
        for (String[] line : lines) {
            StringBuilder row = new StringBuilder();
            for (int column = 0; column < widths.length; column++) {
                if (column > 0) {
                    row.append("  ");
                }
                row.append(line[column]).append(" ".repeat(widths[column] - line[column].length()));
            }
            text.append(row.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    /** Returns the same facts as {@link #text} as one JSON object. */
    static String json(ClusterView view) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (MemberRow row : view.members()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("address", row.address());
            entry.put("uuid", row.uuid());
            entry.put("local", row.local());
            entry.put("cpRole", row.cpRole());
            members.add(entry);
        }
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("clusterName", view.clusterName());
        cluster.put("cpMode", view.cpMode());
        cluster.put("cpMemberCount", view.cpMemberCount());
        cluster.put("members", members);
        try {
            return Json.MAPPER.writeValueAsString(cluster) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the member list as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String format(Address address) {
        return address.getHost() + ":" + address.getPort();
    }

    /** Holds the mapper, which the JVM builds at the first {@code --json} call, so the table loads no Jackson class. */
    private static final class Json {

        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        private Json() {
        }
    }
}
