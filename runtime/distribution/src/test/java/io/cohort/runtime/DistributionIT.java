package io.cohort.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Runs the assembled node folder as real processes: a copy of {@code runtime/target/cohort} in a temporary
 * directory (so the folder must be relocatable), started through {@code bin/cohort} with stdin from /dev/null, and
 * driven through {@code bin/cohort client}.
 */
public class DistributionIT {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /** A row of {@code cohort:plugins} for the starter plugin in state LOADED (UNLOADED does not match). */
    private static final Pattern STARTER_LOADED = Pattern.compile("(?m)^.*starter.*\\bLOADED\\b.*$");
    /** The plugin runtime's line for an unload of the starter plugin's bundle. */
    private static final Pattern STARTER_UNLOADED = Pattern.compile(
            "Plugin \\S+ unloaded from bundle io\\.cohort\\.samples\\.starter ");
    private static final Pattern STARTED_LINE = Pattern.compile("Cohort node started in (\\d+) ms");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path home;
    private Path nodeOutput;
    private Process node;

    @Before
    public void copyDistribution() throws IOException {
        Path built = Path.of(System.getProperty("cohort.dist.dir", "../target/cohort")).toAbsolutePath().normalize();
        assertTrue("the distribution folder " + built + " is missing; run the package phase first",
                Files.isRegularFile(built.resolve("bin/cohort")));
        home = temp.newFolder("relocated", "cohort").toPath();
        copyTree(built, home);
        nodeOutput = temp.getRoot().toPath().resolve("node-output.txt");
    }

    @After
    public void killNodeIfStillRunning() throws InterruptedException {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test(timeout = 60_000)
    public void help_anyHome_printsUsageAndExits0() throws Exception {
        ClientResult help = run(List.of(home.resolve("bin/cohort").toString(), "--help"));

        assertEquals(help.describe(), 0, help.status());
        assertTrue(help.describe(), help.stdout().startsWith("Usage: cohort"));
    }

    @Test(timeout = 60_000)
    public void client_noNodeRunning_reportsItAndExits2() throws Exception {
        ClientResult info = client("cohort:info");

        assertEquals(info.describe(), 2, info.status());
        assertTrue(info.describe(), info.stderr().contains("no node is running at " + home.toRealPath()));
    }

    @Test(timeout = 300_000)
    public void node_pluginLifecycle_endsWithCleanStop() throws Exception {
        long startBegin = System.nanoTime();
        startNode();
        await("node answers cohort:info").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> clientWhileNodeRuns("cohort:info").status() == 0);
        long startMillis = millisSince(startBegin);

        Path starterJar = exampleJar("sample-starter-");
        long deployBegin = System.nanoTime();
        deploy(starterJar);
        await("starter plugin LOADED").atMost(DEPLOY_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> STARTER_LOADED.matcher(clientWhileNodeRuns("cohort:plugins").stdout()).find());
        long deployMillis = millisSince(deployBegin);

        ClientResult status = client("starter:status");
        assertEquals(status.describe(), 0, status.status());

        ClientResult unknown = client("cohort:nosuchcommand");
        assertNotEquals(unknown.describe(), 0, unknown.status());
        assertTrue(unknown.describe(), unknown.stderr().contains("nosuchcommand"));

        long undeployBegin = System.nanoTime();
        Files.delete(home.resolve("deploy").resolve(starterJar.getFileName()));
        await("starter plugin no longer LOADED").atMost(DEPLOY_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> !STARTER_LOADED.matcher(clientWhileNodeRuns("cohort:plugins").stdout()).find());
        long undeployMillis = millisSince(undeployBegin);

        // Deployed again, the plugin is loaded when SIGTERM arrives, so the stop must unload it.
        deploy(starterJar);
        await("starter plugin LOADED again").atMost(DEPLOY_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> STARTER_LOADED.matcher(clientWhileNodeRuns("cohort:plugins").stdout()).find());

        long stopBegin = System.nanoTime();
        node.destroy();
        boolean stopped = node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        long stopMillis = millisSince(stopBegin);

        assertTrue("node still running " + STOP_TIMEOUT.toSeconds() + " s after SIGTERM\n" + nodeOutput(), stopped);
        assertEquals("exit status after SIGTERM\n" + nodeOutput(), 0, node.exitValue());
        String log = Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8);
        List<String> unloads = linesMatching(log, STARTER_UNLOADED);
        assertEquals("starter unload lines (undeploy, then stop) in log/cohort.log:\n" + log, 2, unloads.size());
        int stopping = log.indexOf("Stopping Cohort node");
        assertTrue("stop request line in log/cohort.log:\n" + log, stopping >= 0);
        assertTrue("starter unloaded after the stop request:\n" + log, log.lastIndexOf(unloads.get(1)) > stopping);
        assertTrue("stop line in log/cohort.log:\n" + log, log.contains("Cohort node stopped in"));
        assertEquals("ERROR lines in log/cohort.log", List.of(), linesWith(log, " ERROR "));

        System.out.printf("Cohort distribution: node answered its first command %d ms after bin/cohort started"
                        + " (node log: started in %s ms); hot deploy to LOADED %d ms; undeploy %d ms; stop after"
                        + " SIGTERM %d ms%n", startMillis, reportedStartMillis(log), deployMillis, undeployMillis,
                stopMillis);
    }

    @Test(timeout = 120_000)
    public void node_stdinClosed_startsAndStopsOnSigterm() throws Exception {
        // bash execs the script with descriptor 0 closed, and the script execs java, so SIGTERM reaches the JVM.
        startNode(List.of("/bin/bash", "-c", "exec \"$0\" <&-", home.resolve("bin/cohort").toString()));
        await("node answers cohort:info").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> clientWhileNodeRuns("cohort:info").status() == 0);

        node.destroy();
        boolean stopped = node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertTrue("node still running " + STOP_TIMEOUT.toSeconds() + " s after SIGTERM\n" + nodeOutput(), stopped);
        assertEquals("exit status after SIGTERM\n" + nodeOutput(), 0, node.exitValue());
    }

    private void startNode() throws IOException {
        startNode(List.of(home.resolve("bin/cohort").toString()));
    }

    private void startNode(List<String> commandLine) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(nodeOutput.toFile())
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_OPTS");
        node = builder.start();
    }

    /**
     * Copies the jar into deploy/ through a temporary file and an atomic move, so FileInstall never reads a partly
     * copied jar.
     */
    private void deploy(Path jar) throws IOException {
        Path staged = Files.createTempFile(temp.getRoot().toPath(), "staged-", ".tmp");
        Files.copy(jar, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, home.resolve("deploy").resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    private Path exampleJar(String prefix) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(home.resolve("examples"), prefix + "*.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new AssertionError("no " + prefix + "*.jar in " + home.resolve("examples"));
    }

    /** Runs the client, after checking that the node has not died, so a crash fails the wait at once. */
    private ClientResult clientWhileNodeRuns(String... command) throws Exception {
        if (!node.isAlive()) {
            throw new AssertionError("node exited with status " + node.exitValue() + "\n" + nodeOutput());
        }
        return client(command);
    }

    private ClientResult client(String... command) throws Exception {
        List<String> commandLine = new ArrayList<>(List.of(home.resolve("bin/cohort").toString(), "client"));
        commandLine.addAll(List.of(command));
        return run(commandLine);
    }

    private ClientResult run(List<String> commandLine) throws Exception {
        Path out = Files.createTempFile(temp.getRoot().toPath(), "client-", ".out");
        Path err = Files.createTempFile(temp.getRoot().toPath(), "client-", ".err");
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        try {
            if (!process.waitFor(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(commandLine + " did not finish within " + CLIENT_TIMEOUT.toSeconds() + " s");
            }
            return new ClientResult(String.join(" ", commandLine), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private String nodeOutput() {
        try {
            return "--- node output ---\n" + Files.readString(nodeOutput, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "--- node output unreadable: " + e;
        }
    }

    private static List<String> linesMatching(String log, Pattern pattern) {
        return log.lines().filter(line -> pattern.matcher(line).find()).collect(Collectors.toList());
    }

    private static List<String> linesWith(String log, String text) {
        return log.lines().filter(line -> line.contains(text)).collect(Collectors.toList());
    }

    private static String reportedStartMillis(String log) {
        Matcher matcher = STARTED_LINE.matcher(log);
        return matcher.find() ? matcher.group(1) : "?";
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    /** Copies the built folder, leaving out what a node run in it may have left in data/, log/ and deploy/. */
    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path relative = source.relativize(path);
                if (relative.getNameCount() > 1 && isRuntimeFolder(relative.getName(0).toString())) {
                    continue;
                }
                Path copy = target.resolve(relative.toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean isRuntimeFolder(String name) {
        return name.equals("data") || name.equals("log") || name.equals("deploy");
    }

    /** The outcome of one {@code bin/cohort} process. */
    private record ClientResult(String commandLine, int status, String stdout, String stderr) {

        String describe() {
            return commandLine + " exited with " + status + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }
}
