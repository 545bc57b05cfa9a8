package io.cohort.itests.crash;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.cohort.itests.crash.ProcessNode.ClientResult;
import io.cohort.itests.crash.plugin.CrashPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Starts a node process whose Hazelcast member settings are invalid, with a plugin in {@code deploy/}, then fixes the
 * settings while the node runs. No member starts, so no Hazelcast adapter registers, and the plugin waits for them
 * instead of failing. The fixed file starts the member, and the plugin loads, without a restart of the node. A
 * second test replaces the whole {@code etc/} folder of a running node, as a new build laid out over the home does,
 * and checks that a later change in the new folder still reaches the node.
 */
public class MemberConfigurationIT {

    private static final int NODE_PORT = 5980;
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    private static final Pattern CRASH_LOADED = Pattern.compile("(?m)^" + CrashPlugin.NAME + "\\s.*\\bLOADED\\b");
    private static final Pattern ANY_FAILED = Pattern.compile("(?m)\\bFAILED\\b");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 240_000)
    public void member_invalidAtStart_pluginWaitsUntilFixed() throws Exception {
        Path pluginJar = CrashPluginBundle.build(temp.newFolder("plugin").toPath());
        try (ProcessCluster cluster = new ProcessCluster(temp.newFolder("nodes").toPath(), NODE_PORT, 1, Map.of())) {
            cluster.start();
            ProcessNode node = cluster.node(0);
            try {
                node.terminate();
                assertTrue(node + " did not stop within " + STOP_TIMEOUT, node.awaitExit(STOP_TIMEOUT));
                Path memberConfig = node.home().resolve("etc/io.cohort.hazelcast.cfg");
                String valid = Files.readString(memberConfig);
                assertTrue(valid, valid.contains("port.count=1"));
                replace(memberConfig, valid.replace("port.count=1", "port.count=0"));
                node.deploy(pluginJar);

                node.start();
                eventually(CHANGE_TIMEOUT, () -> assertTrue(node.log().contains(
                        "Hazelcast member not started: io.cohort.hazelcast setting port.count '0' is invalid")));
                eventually(CHANGE_TIMEOUT, () -> {
                    ClientResult info = node.client("cohort:info");
                    assertEquals(info.describe(), 0, info.status());
                    assertTrue(info.describe(), info.stdout().contains("hazelcast (not registered)"));
                });
                String waiting = plugins(node);
                assertFalse(waiting, ANY_FAILED.matcher(waiting).find());
                assertFalse(waiting, CRASH_LOADED.matcher(waiting).find());

                replace(memberConfig, valid);
                eventually(CHANGE_TIMEOUT, () -> assertTrue(plugins(node), CRASH_LOADED.matcher(plugins(node))
                        .find()));
                assertEquals(node + " cluster size", 1, node.clusterSize(cluster.name()));
                assertFalse(node.log(), node.log().contains(" is not registered; registered: [memory]"));
            } catch (AssertionError | Exception e) {
                cluster.keepLogs(Path.of("target", "crash-logs", "MemberConfigurationIT"));
                throw e;
            }
        }
    }

    @Test(timeout = 240_000)
    public void etcFolder_replacedWhileRunning_laterChangeApplies() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(temp.newFolder("nodes").toPath(), NODE_PORT, 1, Map.of())) {
            cluster.start();
            ProcessNode node = cluster.node(0);
            try {
                Path etc = node.home().resolve("etc");
                Path previous = node.home().resolve("etc.old");
                Files.move(etc, previous);
                Files.createDirectories(etc);
                try (Stream<Path> files = Files.list(previous)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Files.copy(file, etc.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
                // Four poll intervals, so that FileInstall has met the new folder before the change below.
                Thread.sleep(1_000);
                Path coreConfig = etc.resolve("io.cohort.core.cfg");
                String config = Files.readString(coreConfig);
                assertTrue(config, config.contains("app.name=crash"));

                replace(coreConfig, config.replace("app.name=crash", "app.name=replaced"));
                eventually(CHANGE_TIMEOUT, () -> {
                    ClientResult info = node.client("cohort:info");
                    assertEquals(info.describe(), 0, info.status());
                    assertTrue(info.describe(), info.stdout().contains("replaced"));
                });
            } catch (AssertionError | Exception e) {
                cluster.keepLogs(Path.of("target", "crash-logs", "MemberConfigurationIT"));
                throw e;
            }
        }
    }

    private static String plugins(ProcessNode node) throws IOException, InterruptedException {
        ClientResult plugins = node.client("cohort:plugins");
        assertEquals(plugins.describe(), 0, plugins.status());
        return plugins.stdout();
    }

    /** Replaces {@code file} in one atomic move, so the node never reads half a file. */
    private static void replace(Path file, String content) throws IOException {
        Path staged = Files.createTempFile(file.getParent().getParent(), "member-", ".tmp");
        Files.writeString(staged, content);
        Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
