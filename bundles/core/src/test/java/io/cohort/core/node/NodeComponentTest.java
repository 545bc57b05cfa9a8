package io.cohort.core.node;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/** Validation of the node settings, without a framework. */
public class NodeComponentTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void milliseconds_number_parsesMilliseconds() {
        assertEquals(Duration.ofMillis(2500), NodeComponent.milliseconds("queue.shutdown.timeout.ms", " 2500 "));
    }

    @Test
    public void milliseconds_notNumber_namesSettingAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.milliseconds("queue.shutdown.timeout.ms", "abc"));

        assertTrue(e.getMessage(), e.getMessage().contains("queue.shutdown.timeout.ms 'abc'"));
    }

    @Test
    public void milliseconds_outOfRange_namesAllowedRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.milliseconds("pubsub.start.window.ms", "600001"));

        assertTrue(e.getMessage(), e.getMessage().contains("pubsub.start.window.ms 600001 is out of range; "
                + "expected 0 to 600000"));
    }

    @Test
    public void milliseconds_tooManyDigits_saysOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.milliseconds("pubsub.start.window.ms", "99999999999999999999"));

        assertTrue(e.getMessage(), e.getMessage().contains("pubsub.start.window.ms '99999999999999999999' is out of "
                + "range; expected milliseconds from 0 to 600000"));
    }

    @Test
    public void adapterName_invalid_namesSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.adapterName("queue.adapter", "Not Valid"));

        assertTrue(e.getMessage(), e.getMessage().contains("queue.adapter 'Not Valid'"));
    }

    @Test
    public void nodeId_empty_generatedOnceAndKept() throws IOException {
        Path dataDir = folder.newFolder("data").toPath();

        String first = NodeComponent.nodeId("", dataDir);
        String second = NodeComponent.nodeId("", dataDir);

        assertTrue(first, first.matches("node-[0-9a-f]{8}"));
        assertEquals(first, second);
        assertEquals(first, Files.readString(dataDir.resolve("node.id")).trim());
    }

    @Test
    public void nodeId_configured_winsOverStoredId() throws IOException {
        Path dataDir = folder.newFolder("data").toPath();
        String stored = NodeComponent.nodeId("", dataDir);

        String configured = NodeComponent.nodeId("node-a", dataDir);

        assertEquals("node-a", configured);
        assertNotEquals(stored, configured);
    }

    @Test
    public void emptyQueueConsumeWarning_empty_warns() {
        String warning = NodeComponent.emptyQueueConsumeWarning("node-1", " ").orElseThrow();

        assertEquals("queue.consume in configuration io.cohort.core is empty, which means none, so node node-1 runs "
                + "no event queue tasks; write queue.consume=none to keep that without this warning, or set all "
                + "(every channel) or a comma-separated list of channel names", warning);
    }

    @Test
    public void emptyQueueConsumeWarning_noneOrList_empty() {
        assertEquals(Optional.empty(), NodeComponent.emptyQueueConsumeWarning("node-1", "none"));
        assertEquals(Optional.empty(), NodeComponent.emptyQueueConsumeWarning("node-1", "reports"));
    }

    @Test
    public void queueRoleMessage_eachRole_namesChannels() {
        assertEquals("Node n1 runs the tasks of every event queue channel (queue.consume=all)",
                NodeComponent.queueRoleMessage("n1", QueueRole.ALL));
        assertEquals("Node n1 runs the tasks of no event queue channel (queue.consume=none): it publishes tasks, "
                + "and the nodes that consume their channels run them", NodeComponent.queueRoleMessage("n1",
                        QueueRole.NONE));
        assertEquals("Node n1 runs the tasks of the event queue channels mail,reports only "
                + "(queue.consume=mail,reports); its consumers of other channels stay idle",
                NodeComponent.queueRoleMessage("n1", QueueRole.parse("reports, mail")));
    }

    @Test
    public void nodeId_invalid_namesValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.nodeId("bad id", folder.getRoot().toPath()));

        assertTrue(e.getMessage(), e.getMessage().contains("node.id 'bad id'"));
    }
}
