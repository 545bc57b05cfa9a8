package io.cohort.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class NodeHomeTest {

    private static final Path HOME = Path.of("/opt/cohort");

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void data_node1_isDataFolder() {
        NodeHome home = new NodeHome(HOME);

        assertEquals(HOME.resolve("data"), home.data());
    }

    @Test
    public void data_node3_isNodeFolderUnderData() {
        NodeHome home = new NodeHome(HOME, 3);

        assertEquals(HOME.resolve("data/node-3"), home.data());
    }

    @Test
    public void socketAndLock_node2_inNodeData() {
        NodeHome home = new NodeHome(HOME, 2);

        assertEquals(HOME.resolve("data/node-2/run/cohort.sock"), home.commandSocket());
        assertEquals(HOME.resolve("data/node-2/node.lock"), home.lockFile());
    }

    @Test
    public void sharedFolders_node2_areThoseOfTheHome() {
        NodeHome home = new NodeHome(HOME, 2);

        assertEquals(HOME.resolve("etc"), home.etc());
        assertEquals(HOME.resolve("deploy"), home.deploy());
        assertEquals(HOME.resolve("system"), home.system());
        assertEquals(HOME.resolve("log"), home.log());
    }

    @Test
    public void logName_eachNode_isOwnFile() {
        assertEquals("cohort", new NodeHome(HOME, 1).logName());
        assertEquals("cohort-node-9", new NodeHome(HOME, 9).logName());
    }

    @Test
    public void describe_node1_isHomeOnly() {
        assertEquals(HOME.toString(), new NodeHome(HOME).describe());
    }

    @Test
    public void describe_node2_namesNode() {
        assertEquals(HOME + " (node 2)", new NodeHome(HOME, 2).describe());
    }

    @Test
    public void constructor_node10_isRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new NodeHome(HOME, 10));

        assertTrue(error.getMessage(), error.getMessage().contains("1 to 9"));
    }

    @Test
    public void nodeNumber_absent_isNode1() {
        assertEquals(1, NodeHome.nodeNumber(null));
        assertEquals(1, NodeHome.nodeNumber(" "));
    }

    @Test
    public void nodeNumber_digit_isParsed() {
        assertEquals(4, NodeHome.nodeNumber("4"));
    }

    @Test
    public void nodeNumber_invalid_isRejected() {
        for (String value : new String[] {"0", "10", "two", "-1"}) {
            IllegalStateException error = assertThrows(IllegalStateException.class, () -> NodeHome.nodeNumber(value));

            assertTrue(error.getMessage(), error.getMessage().contains("'" + value + "'"));
        }
    }
}
