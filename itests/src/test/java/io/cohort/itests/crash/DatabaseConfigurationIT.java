package io.cohort.itests.crash;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.cohort.itests.crash.ProcessNode.ClientResult;
import io.cohort.itests.crash.plugin.CrashPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Gives a running node process a database it cannot use, first a URL where nothing listens, then a wrong password,
 * then a pool size that is not a number. Checks that the database services stop with an ERROR that names the URL or
 * the setting and never the password, while the rest of the node keeps serving, and that a correct configuration
 * brings the services back. The node's pub/sub, queue and lock adapters are Hazelcast's, as in a cluster.
 *
 * <p>The crash plugin needs the transaction manager, so it is loaded exactly while the database is available.
 */
public class DatabaseConfigurationIT {

    private static final int NODE_PORT = 5979;

    /** Nothing listens here: the crash tests' range is kept free, and the test checks it first. */
    private static final int UNREACHABLE_PORT = 5989;

    private static final String UNREACHABLE_URL = "jdbc:postgresql://127.0.0.1:" + UNREACHABLE_PORT + "/cohort";
    private static final String RIGHT_PASSWORD = "right-pw-7f3a9c";
    private static final String WRONG_PASSWORD = "wrong-pw-4e1b8d";
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);

    private static final Pattern CRASH_LOADED = Pattern.compile("(?m)^" + CrashPlugin.NAME + "\\s.*\\bLOADED\\b");

    /**
     * SCR's report of an activation that threw, as the OSGi log bridge writes it to the node log. A rejected
     * configuration must not cause one, because its stack trace would bury the ERROR that names the setting.
     */
    private static final Pattern SCR_ACTIVATION_ERROR = Pattern.compile(
            " ERROR \\[[^]]+] osgi\\.io\\.cohort\\.jdbc\\.DatabaseComponent - bundle io\\.cohort\\.jdbc ");

    /** The WARN for a misspelt key of the database configuration, which the node otherwise ignores silently. */
    private static final Pattern UNKNOWN_POOL_KEY = Pattern.compile(" WARN .*Ignoring unknown setting 'pool\\.szie' in "
            + "configuration io\\.cohort\\.jdbc \\(etc/io\\.cohort\\.jdbc\\.cfg\\); known settings: \\[.*pool\\.size");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 240_000)
    public void database_badSettings_failsNamingUrlOrSetting() throws Exception {
        requireNothingListening(UNREACHABLE_PORT);
        Path pluginJar = CrashPluginBundle.build(temp.newFolder("plugin").toPath());
        String h2Url = "jdbc:h2:file:" + temp.newFolder("database").toPath().resolve("cohort");
        try (ProcessCluster cluster = new ProcessCluster(temp.newFolder("nodes").toPath(), NODE_PORT, 1, Map.of())) {
            cluster.configure("io.cohort.jdbc", database(UNREACHABLE_URL, "cohort", WRONG_PASSWORD));
            cluster.start();
            ProcessNode node = cluster.node(0);
            try {
                node.deploy(pluginJar);
                eventually(CHANGE_TIMEOUT, () -> assertTrue(node.log().contains("Database " + UNREACHABLE_URL
                        + " is not available")));
                assertNodeServesWithoutDatabase(node, "unreachable database");

                Map<String, String> misspelt = database(h2Url, "sa", RIGHT_PASSWORD);
                misspelt.put("pool.szie", "4");
                reconfigure(node, misspelt);
                eventually(CHANGE_TIMEOUT, () -> assertTrue(plugins(node), CRASH_LOADED.matcher(plugins(node)).find()));
                assertEquals(node.log(), 1, UNKNOWN_POOL_KEY.matcher(node.log()).results().count());

                reconfigure(node, database(h2Url, "sa", WRONG_PASSWORD));
                eventually(CHANGE_TIMEOUT, () -> assertTrue(node.log().contains("Database " + h2Url
                        + ";WRITE_DELAY=0 is not available")));
                eventually(CHANGE_TIMEOUT, () -> assertFalse(plugins(node),
                        CRASH_LOADED.matcher(plugins(node)).find()));
                assertNodeServesWithoutDatabase(node, "wrong password");

                Map<String, String> noPool = database(h2Url, "sa", RIGHT_PASSWORD);
                noPool.put("pool.size", "lots");
                reconfigure(node, noPool);
                eventually(CHANGE_TIMEOUT, () -> assertTrue(node.log().contains("Configuration io.cohort.jdbc is "
                        + "invalid, so the database stays closed")));
                assertTrue(node.log(), node.log().contains("pool.size 'lots' is not a whole number; expected 1 to "
                        + "200"));
                assertNodeServesWithoutDatabase(node, "pool.size lots");
                ClientResult info = node.client("cohort:info");
                assertTrue(info.describe(), info.stdout().contains("etc/io.cohort.jdbc.cfg (io.cohort.jdbc): "
                        + "pool.size 'lots' is not a whole number; expected 1 to 200"));
                assertFalse("SCR logged the rejected configuration as an activation failure:\n" + node.log(),
                        SCR_ACTIVATION_ERROR.matcher(node.log()).find());
                assertFalse(node.log(), node.log().contains("NumberFormatException"));

                String console = Files.readString(node.home().resolve("output.txt"));
                assertFalse("SCR wrote to the console past the node log:\n" + console,
                        console.contains("\nERROR : bundle "));
                String everything = node.log() + console;
                assertFalse("the node's log or console names the right password", everything.contains(RIGHT_PASSWORD));
                assertFalse("the node's log or console names the wrong password", everything.contains(WRONG_PASSWORD));
                node.log().lines().filter(line -> line.contains(" ERROR ") && line.contains("io.cohort.jdbc"))
                        .forEach(line -> System.out.println("Database configuration test, node log: " + line));
            } catch (AssertionError | Exception e) {
                cluster.keepLogs(Path.of("target", "crash-logs", "DatabaseConfigurationIT"));
                throw e;
            }
        }
    }

    /** Checks that the node answers and that its event queue still takes a task, with no database in use. */
    private static void assertNodeServesWithoutDatabase(ProcessNode node, String situation) throws Exception {
        ClientResult info = node.client("cohort:info");
        assertEquals(situation + ": " + info.describe(), 0, info.status());
        ClientResult publish = node.client("queue:publish", "waiting.work", "\"kept\"");
        assertEquals(situation + ": " + publish.describe(), 0, publish.status());
        ClientResult queues = node.client("queue:list");
        assertEquals(situation + ": " + queues.describe(), 0, queues.status());
        assertTrue(situation + ": " + queues.describe(), queues.stdout().contains("waiting.work"));
        assertFalse(situation + ": the crash plugin needs the database\n" + plugins(node),
                CRASH_LOADED.matcher(plugins(node)).find());
    }

    private static String plugins(ProcessNode node) throws IOException, InterruptedException {
        ClientResult plugins = node.client("cohort:plugins");
        assertEquals(plugins.describe(), 0, plugins.status());
        return plugins.stdout();
    }

    private static Map<String, String> database(String url, String user, String password) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("url", url);
        settings.put("user", user);
        settings.put(".password", password);
        settings.put("connection.timeout.ms", "3000");
        return settings;
    }

    /** Replaces {@code etc/io.cohort.jdbc.cfg} in one atomic move, so the node never reads half a file. */
    private static void reconfigure(ProcessNode node, Map<String, String> settings) throws IOException {
        Path staged = Files.createTempFile(node.home(), "jdbc-", ".tmp");
        ProcessCluster.writeConfig(staged, settings);
        Files.move(staged, node.home().resolve("etc/io.cohort.jdbc.cfg"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static void requireNothingListening(int port) throws IOException {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            throw new AssertionError("a process listens on 127.0.0.1:" + port + ", which this test needs unused");
        } catch (ConnectException expected) {
            // Refused: nothing listens, as the test needs.
        }
    }
}
