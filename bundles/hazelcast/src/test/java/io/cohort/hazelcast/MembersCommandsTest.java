package io.cohort.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import io.cohort.hazelcast.MembersCommands.ClusterView;
import io.cohort.hazelcast.MembersCommands.MemberRow;

public class MembersCommandsTest {

    private static final String UUID_A = "8a2f4c1e-0000-4000-8000-000000000001";
    private static final String UUID_B = "8a2f4c1e-0000-4000-8000-000000000002";

    @Rule
    public Timeout timeout = Timeout.seconds(90);

    @Test
    public void view_twoUnsafeMembers_listsBoth() {
        try (TestCluster cluster = TestCluster.start("cohort-test-members", 5801, 2)) {
            HazelcastMember second = cluster.member(1);

            ClusterView view = MembersCommands.view(second);

            assertEquals(2, view.members().size());
            assertEquals("unsafe", view.cpMode());
            assertEquals(List.of(false, true), view.members().stream().map(MemberRow::local).toList());
            assertEquals(second.localMemberUuid().toString(), view.members().get(1).uuid());
            assertTrue(view.members().get(0).address(), view.members().get(0).address().startsWith("127.0.0.1:"));
            assertEquals(List.of("none", "none"), view.members().stream().map(MemberRow::cpRole).toList());
        }
    }

    @Test
    public void text_raftCluster_alignsColumns() {
        ClusterView view = new ClusterView("prod", "raft", 3, List.of(
                new MemberRow("127.0.0.1:5701", UUID_A, false, "cp"),
                new MemberRow("127.0.0.1:15702", UUID_B, true, "ap")));

        String text = MembersCommands.text(view);

        assertEquals("Cluster prod: 2 members, CP subsystem raft (cp.member.count 3)\n"
                + "ADDRESS          UUID                                  LOCAL  CP ROLE\n"
                + "127.0.0.1:5701   " + UUID_A + "         cp\n"
                + "127.0.0.1:15702  " + UUID_B + "  *      ap\n", text);
    }

    @Test
    public void text_oneMember_saysMemberInSingular() {
        ClusterView view = new ClusterView("cohort", "unsafe", 0,
                List.of(new MemberRow("127.0.0.1:5701", UUID_A, true, "none")));

        String text = MembersCommands.text(view);

        assertTrue(text, text.startsWith("Cluster cohort: 1 member, CP subsystem unsafe (cp.member.count 0)\n"));
    }

    @Test
    public void json_raftCluster_listsEachMember() throws Exception {
        ClusterView view = new ClusterView("prod", "raft", 3, List.of(
                new MemberRow("127.0.0.1:5701", UUID_A, false, "cp"),
                new MemberRow("127.0.0.1:5702", UUID_B, true, "unknown")));

        JsonNode json = new ObjectMapper().readTree(MembersCommands.json(view));

        assertEquals("prod", json.get("clusterName").asText());
        assertEquals("raft", json.get("cpMode").asText());
        assertEquals(3, json.get("cpMemberCount").asInt());
        assertEquals(2, json.get("members").size());
        JsonNode second = json.get("members").get(1);
        assertEquals(Map.of("address", "127.0.0.1:5702", "uuid", UUID_B, "cpRole", "unknown"), Map.of(
                "address", second.get("address").asText(), "uuid", second.get("uuid").asText(),
                "cpRole", second.get("cpRole").asText()));
        assertTrue(second.get("local").asBoolean());
        assertFalse(json.get("members").get(0).get("local").asBoolean());
    }

    @Test
    public void members_noMember_namesConfiguration() {
        MembersCommands commands = new MembersCommands();

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> commands.members(false));

        assertTrue(error.getMessage(), error.getMessage().contains("etc/io.cohort.hazelcast.cfg"));
    }
}
