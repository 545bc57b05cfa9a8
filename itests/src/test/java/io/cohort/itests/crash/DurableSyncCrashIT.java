package io.cohort.itests.crash;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.cohort.itests.crash.ProcessNode.ClientResult;
import io.cohort.itests.crash.plugin.CrashPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Kills a node with SIGKILL after it committed a durable sync message and before it sent it, and checks that the
 * other node receives the message exactly once after the killed node is started again.
 *
 * <p>Both nodes share one H2 database in auto-server mode, the shipped default for the nodes of one machine. Their
 * outbox relays poll only every {@value #RELAY_INTERVAL_MS} ms, and the committing node never wakes its own relay
 * (see {@link CrashPlugin#commitAndHang}), so no relay runs between the commit and the kill. The restarted node's relay
 * runs its first round at start and publishes the row that the dead node left in the outbox.
 */
public class DurableSyncCrashIT {

    private static final int FIRST_PORT = 5977;

    /** Longer than the time from the start of the nodes to the kill, so neither relay polls in between. */
    private static final long RELAY_INTERVAL_MS = 60_000;

    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 240_000)
    public void durableMessage_senderKilledAfterCommit_deliveredOnceAfterRestart() throws Exception {
        Path pluginJar = CrashPluginBundle.build(temp.newFolder("plugin").toPath());
        Path database = temp.newFolder("database").toPath().resolve("cohort");
        String label = "order-" + System.nanoTime();
        Path nodes = temp.newFolder("nodes").toPath();
        try (ProcessCluster cluster = new ProcessCluster(nodes, FIRST_PORT, 2, Map.of("shutdown.graceful", "false"))) {
            cluster.configure("io.cohort.jdbc", Map.of(
                    "url", "jdbc:h2:file:" + database + ";AUTO_SERVER=TRUE",
                    "relay.interval.ms", String.valueOf(RELAY_INTERVAL_MS)));
            cluster.start();
            cluster.deploy(pluginJar, CrashPlugin.NAME);
            ProcessNode sender = cluster.node(0);
            ProcessNode receiver = cluster.node(1);
            try {
                ClientResult commit = sender.client("crash:commitAndHang", label);
                assertEquals(commit.describe(), 0, commit.status());
                assertTrue(commit.describe(), commit.stdout().contains("committed " + label));
                assertEquals("deliveries of " + label + " to " + receiver + " before the kill", List.of(),
                        deliveries(receiver, label));

                long killStart = System.nanoTime();
                assertEquals(sender + " exit status", ProcessNode.SIGKILL_EXIT_STATUS, sender.kill());
                assertEquals("deliveries of " + label + " to " + receiver + " right after the kill", List.of(),
                        deliveries(receiver, label));

                sender.start();
                eventually(RESTART_TIMEOUT, () -> {
                    ClientResult plugins = sender.client("cohort:plugins");
                    assertEquals(plugins.describe(), 0, plugins.status());
                    assertTrue(plugins.describe(), plugins.stdout().matches("(?s).*\\bcrash\\s.*\\bLOADED\\b.*"));
                });
                eventually(DELIVERY_TIMEOUT, () -> assertEquals("deliveries of " + label + " to " + receiver, 1,
                        deliveries(receiver, label).size()));
                System.out.printf("Durable sync crash test: %s committed %s and was killed; %s handled it %d ms "
                        + "after the kill, once the restarted node's relay ran: %s%n", sender, label, receiver,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killStart), deliveries(receiver, label));
            } catch (AssertionError | Exception e) {
                cluster.keepLogs(Path.of("target", "crash-logs", "DurableSyncCrashIT"));
                throw e;
            }
        }
        List<String> delivered = deliveries(nodes.resolve("b"), label);
        assertEquals("deliveries of " + label + " to node b once every node stopped: " + delivered, 1,
                delivered.size());
        assertTrue("the message must name the killed node a as its source: " + delivered,
                delivered.get(0).split(" ")[2].equals("a"));
    }

    private static List<String> deliveries(ProcessNode node, String label) throws IOException {
        return deliveries(node.home(), label);
    }

    /** Returns the lines of the node's sync file that record {@code label}. */
    private static List<String> deliveries(Path home, String label) throws IOException {
        Path file = home.resolve("data").resolve(CrashPlugin.SYNC_FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith(label + " "))
                .collect(Collectors.toList());
    }
}
