package io.cohort.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
 *
 * <p>The copy's {@code etc/io.cohort.hazelcast.cfg} gets a cluster name of its own and member ports 5961 and up
 * (or from the system property {@value #FIRST_PORT_PROPERTY} up), in place of 5701-5710, so the nodes never join a
 * cluster that runs on this host. The port stays {@code <prefix>${cohort.node}}, as in the shipped file, so node N
 * still takes its own port.
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
    private static final Pattern RELAY_STOPPED = Pattern.compile("Outbox relay relay-\\S+ stopped");
    private static final Pattern MEMBER_ADDRESS = Pattern.compile("\"address\" : \"127\\.0\\.0\\.1:\\d+\"");
    private static final Pattern STARTED_LINE = Pattern.compile("Cohort node started in (\\d+) ms");
    /** A bundle row of Gogo's {@code lb}: id, state, start level and name. */
    private static final Pattern BUNDLE_ROW = Pattern.compile("(?m)^\\s*(\\d+)\\|(\\w+)\\s*\\|\\s*(\\d+)\\|(.*)$");
    /** The highest start level of the bundles in system/. Plugins from deploy/ start one level above. */
    private static final int LAST_SYSTEM_LEVEL = 4;

    /** The magic number at the start of a JDK 17 dynamic class archive, in the machine's byte order. */
    private static final int DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;

    /**
     * System property with node 1's member port; node N takes that port - 1 + N. The default 5961 keeps nodes 1 to 9
     * clear of the crash tests' 5971-5990. The value must end in 1, because the shipped port setting appends the
     * node number to its other digits.
     */
    private static final String FIRST_PORT_PROPERTY = "cohort.dist.it.port";
    private static final int FIRST_MEMBER_PORT = Integer.getInteger(FIRST_PORT_PROPERTY, 5961);
    private static final int LAST_MEMBER_PORT = FIRST_MEMBER_PORT + 8;

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path home;
    private Path nodeOutput;
    private Process node;
    private Process secondNode;

    @Before
    public void copyDistribution() throws IOException {
        Path built = builtFolder();
        assertTrue("the distribution folder " + built + " is missing; run the package phase first",
                Files.isRegularFile(built.resolve("bin/cohort")));
        home = temp.newFolder("relocated", "cohort").toPath();
        copyTree(built, home);
        useOwnCluster(home.resolve("etc/io.cohort.hazelcast.cfg"));
        nodeOutput = temp.getRoot().toPath().resolve("node-output.txt");
    }

    @After
    public void killNodesIfStillRunning() throws InterruptedException {
        for (Process process : new Process[] {node, secondNode}) {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
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

    @Test(timeout = 60_000)
    public void client_node2Down_namesItsSocket() throws Exception {
        ClientResult info = run(List.of(home.resolve("bin/cohort").toString(), "--node", "2", "client",
                "cohort:info"));

        assertEquals(info.describe(), 2, info.status());
        assertTrue(info.describe(), info.stderr().contains("no node is running at " + home.toRealPath()
                + " (node 2)"));
        assertTrue(info.describe(), info.stderr().contains("data/node-2/run/cohort.sock"));
    }

    @Test(timeout = 60_000)
    public void node_invalidNodeNumber_exits64() throws Exception {
        ClientResult run = run(List.of(home.resolve("bin/cohort").toString(), "--node", "10"));

        assertEquals(run.describe(), 64, run.status());
        assertTrue(run.describe(), run.stderr().contains("--node '10' is invalid"));
    }

    @Test(timeout = 300_000)
    public void node_pluginLifecycle_endsWithCleanStop() throws Exception {
        long startBegin = System.nanoTime();
        startNode();
        await("node answers cohort:info").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> clientWhileNodeRuns("cohort:info").status() == 0);
        long startMillis = millisSince(startBegin);

        assertSystemBundlesActive();
        assertDatabaseServicesRegistered();
        assertTrue("H2 database file data/db/cohort.mv.db", Files.isRegularFile(home.resolve("data/db/cohort.mv.db")));

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
        ClientResult networkShell = client("telnetd", "--ip=127.0.0.1", "--port=28741", "start");
        assertNotEquals("the node must offer no network shell\n" + networkShell.describe(), 0,
                networkShell.status());
        assertTrue(networkShell.describe(), networkShell.stderr().contains("telnetd"));

        Path notABundle = Files.writeString(home.resolve("deploy/notes.jar"), "not a jar", StandardCharsets.UTF_8);
        String notInstalled = "Deploy file " + notABundle.toRealPath()
                + " was not installed: it is not a readable jar";
        await("ERROR line for deploy/notes.jar").atMost(DEPLOY_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8)
                        .contains(notInstalled));
        Files.delete(notABundle);

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
        int databaseClosed = log.lastIndexOf("Database " + sharedDatabaseUrl() + " closed");
        assertTrue("database close line in log/cohort.log:\n" + log, databaseClosed > stopping);
        for (String earlier : List.of(unloads.get(1), "Plugin runtime stopped on node", "Event queue stopped on node",
                "Pub/sub manager stopped on node", "Sync manager stopped on node")) {
            int at = log.lastIndexOf(earlier);
            assertTrue("'" + earlier + "' must be logged after the stop request and before the database closes:\n"
                    + log, at > stopping && at < databaseClosed);
        }
        assertEquals("database ready lines in log/cohort.log:\n" + log, 1,
                linesWith(log, "Database " + sharedDatabaseUrl() + " is ready").size());
        List<String> errors = linesWith(log, " ERROR ");
        assertEquals("ERROR lines in log/cohort.log besides the one for deploy/notes.jar: " + errors, 1,
                errors.size());
        assertTrue("ERROR lines in log/cohort.log: " + errors, errors.get(0).contains(notInstalled));

        System.out.printf("Cohort distribution: node answered its first command %d ms after bin/cohort started"
                        + " (node log: started in %s ms); hot deploy to LOADED %d ms; undeploy %d ms; stop after"
                        + " SIGTERM %d ms%n", startMillis, reportedStartMillis(log), deployMillis, undeployMillis,
                stopMillis);
    }

    @Test(timeout = 120_000)
    public void node_stdinClosed_startsAndStopsOnSigterm() throws Exception {
        // bash execs the script with descriptor 0 closed, and the script execs java, so SIGTERM reaches the JVM.
        startNode(List.of("/bin/bash", "-c", "exec \"$0\" <&-", home.resolve("bin/cohort").toString()));

        awaitAnswerThenStop();
    }

    @Test(timeout = 120_000)
    public void node_startAndStop_leavesNothingInTempFolder() throws Exception {
        Path tempFolder = temp.newFolder("java-io-tmpdir").toPath();

        startAndStopNode(Map.of("JAVA_OPTS", "-Djava.io.tmpdir=" + tempFolder));

        try (Stream<Path> left = Files.list(tempFolder)) {
            assertEquals("files left in java.io.tmpdir", List.of(), left.collect(Collectors.toList()));
        }
        assertTrue("FileInstall's scratch folder in the node's data folder",
                Files.isDirectory(home.resolve("data/fileinstall")));
    }

    @Test(timeout = 120_000)
    public void node_start_logsNoHazelcastWarning() throws Exception {
        startAndStopNode(Map.of());

        String log = Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8);
        assertEquals("WARN and ERROR lines of Hazelcast in log/cohort.log", List.of(),
                problemLines(log, "com.hazelcast"));
    }

    @Test(timeout = 120_000)
    public void node_brokenLogbackXml_logsWithBuiltInSettings() throws Exception {
        Files.writeString(home.resolve("etc/logback.xml"), "<configuration><appender name=\n");

        startAndStopNode(Map.of());

        String log = Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8);
        List<String> errors = linesWith(log, "Invalid logging configuration " + home.resolve("etc/logback.xml"));
        assertEquals("ERROR lines naming etc/logback.xml\n" + log, 1, errors.size());
        assertTrue(errors.get(0), errors.get(0).contains(" ERROR "));
        assertEquals(1, linesWith(log, "Cohort node started in").size());
    }

    @Test(timeout = 120_000)
    public void node_missingLogbackXml_logsWithBuiltInSettings() throws Exception {
        Files.delete(home.resolve("etc/logback.xml"));

        startAndStopNode(Map.of());

        String log = Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8);
        assertEquals(log, 1, linesWith(log, "Invalid logging configuration " + home.resolve("etc/logback.xml")
                + ": the file is missing").size());
        assertEquals(1, linesWith(log, "Cohort node started in").size());
        assertEquals("DEBUG lines in log/cohort.log", List.of(), linesWith(log, " DEBUG "));
    }

    @Test(timeout = 120_000)
    public void node_unwritableLogFile_consoleKeepsLogging() throws Exception {
        Path logback = home.resolve("etc/logback.xml");
        Files.writeString(logback, Files.readString(logback, StandardCharsets.UTF_8).replace(
                "<file>${cohort.home}/log/${cohort.log.name:-cohort}.log</file>",
                "<file>/proc/cohort-no-such-folder/cohort.log</file>"));

        startAndStopNode(Map.of());

        String console = Files.readString(nodeOutput, StandardCharsets.UTF_8);
        assertEquals(console, 1, linesWith(console, "Invalid logging configuration " + logback).size());
        assertEquals(console, 1, linesWith(console, "Cohort node started in").size());
    }

    @Test(timeout = 60_000)
    public void homeOption_notAHome_usageError() throws Exception {
        Path folder = temp.newFolder("not-a-home").toPath().toRealPath();

        ClientResult result = run(List.of(home.resolve("bin/cohort").toString(), "--home", folder.toString(), "client",
                "cohort:info"));

        assertEquals(result.describe(), 64, result.status());
        assertEquals("cohort: --home " + folder + " is not a Cohort home (it needs lib/ and etc/cohort.properties); "
                + "run 'cohort --help' for usage\n", result.stderr());
    }

    @Test(timeout = 60_000)
    public void homeOption_missingFolder_usageError() throws Exception {
        Path missing = temp.getRoot().toPath().resolve("no-such-home");

        ClientResult result = run(List.of(home.resolve("bin/cohort").toString(), "--home", missing.toString(), "client",
                "cohort:info"));

        assertEquals(result.describe(), 64, result.status());
        assertTrue(result.stderr(), result.stderr().startsWith("cohort: --home " + missing + " is not a directory"));
    }

    @Test(timeout = 120_000)
    public void node_emptyCoreConfig_warnsOfMemoryAdapters() throws Exception {
        Files.writeString(home.resolve("etc/io.cohort.core.cfg"), "");

        startAndStopNode(Map.of());

        String log = Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8);
        List<String> warnings = linesWith(log, "does not set cache.store, pubsub.adapter, queue.adapter, lock.adapter");
        assertEquals("WARN lines naming the unset adapter settings\n" + log, 1, warnings.size());
        assertTrue(warnings.get(0), warnings.get(0).contains(" WARN "));
        assertEquals(1, linesWith(log, "adapters: cache=memory, pubsub=memory, queue=memory, lock=memory").size());
    }

    @Test(timeout = 120_000)
    public void node_sigterm_closesDatabaseAfterRelay() throws Exception {
        // A relay that polls every 10 ms runs a round inside any gap between the database closing and the relay
        // stopping, so such a gap shows as a WARN line and an H2 trace file.
        Path jdbcConfig = home.resolve("etc/io.cohort.jdbc.cfg");
        String shipped = Files.readString(jdbcConfig, StandardCharsets.UTF_8);
        String busyRelay = shipped.replaceFirst("(?m)^relay\\.interval\\.ms=.*$", "relay.interval.ms=10");
        assertNotEquals("the shipped " + jdbcConfig + " has a relay.interval.ms line", shipped, busyRelay);
        Files.writeString(jdbcConfig, busyRelay, StandardCharsets.UTF_8);
        startNode();
        await("node answers cohort:info").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> clientWhileNodeRuns("cohort:info").status() == 0);
        assertDatabaseServicesRegistered();

        awaitAnswerThenStop();

        String log = Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8);
        assertEquals("WARN and ERROR lines of the database bundle and its pool", List.of(),
                problemLines(log, "io.cohort.jdbc", "com.zaxxer.hikari"));
        assertFalse("H2 trace file, written when a statement failed",
                Files.exists(home.resolve("data/db/cohort.trace.db")));
        assertFalse("H2 lock file, left when the database was not closed",
                Files.exists(home.resolve("data/db/cohort.lock.db")));
        Matcher relayStop = RELAY_STOPPED.matcher(log);
        assertTrue("relay stop line in log/cohort.log:\n" + log, relayStop.find());
        int databaseClosed = log.lastIndexOf("Database " + sharedDatabaseUrl() + " closed");
        assertTrue("database close line after the relay's stop line in log/cohort.log:\n" + log,
                databaseClosed > relayStop.start());
    }

    @Test(timeout = 300_000)
    public void classArchive_thirdStart_mapsBundleClasses() throws Exception {
        startAndStopNode(Map.of());
        assertEquals("class archives in cache/ after the first stop", List.of(), classArchives());

        startAndStopNode(Map.of());
        List<Path> archives = classArchives();
        assertEquals("class archives in cache/ after the second stop\n" + nodeOutput(), 1, archives.size());
        assertEquals("magic number of " + archives.get(0), DYNAMIC_ARCHIVE_MAGIC, magicNumber(archives.get(0)));

        Path classLog = temp.getRoot().toPath().resolve("class-load.log");
        startAndStopNode(Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog));

        assertNodeComponentFromArchive(classLog);
        assertEquals("class archives in cache/ after the third stop", archives, classArchives());
        assertEquals("mapping markers in cache/ after the third stop", List.of(),
                cacheFiles(name -> name.contains(".mapping-")));
    }

    @Test(timeout = 300_000)
    public void classArchive_recordedByBuild_mapsBundleClassesAtFirstStart() throws Exception {
        Path builtCache = builtFolder().resolve("cache");
        Path builtArchive = onlyFile(builtCache, ".jsa");
        String key = builtArchive.getFileName().toString().replace(".jsa", "");
        assertTrue("the build marks its archive complete", Files.exists(builtCache.resolve(key + ".complete")));
        // The home copied with its files' times, at another path than the build's folder.
        copyTree(builtCache, home.resolve("cache"));
        Path archive = home.resolve("cache").resolve(builtArchive.getFileName());

        Path classLog = temp.getRoot().toPath().resolve("class-load.log");
        startAndStopNode(Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog));

        assertNodeComponentFromArchive(classLog);
        assertEquals("class archives in cache/ after the first stop", List.of(archive), classArchives());
        assertEquals("length of the archive after the first stop", Files.size(builtArchive), Files.size(archive));
        assertEquals("claim files in cache/ after the first stop", List.of(),
                cacheFiles(name -> name.endsWith(".recording")));
    }

    @Test(timeout = 300_000)
    public void classArchive_cacheDeletedWhileRecording_stopExits0() throws Exception {
        startAndStopNode(Map.of());
        // The second start records the archive, which the JVM writes into cache/ as it exits.
        node = startProcess(List.of(home.resolve("bin/cohort").toString()), nodeOutput);
        await("node answers cohort:info").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> clientWhileNodeRuns("cohort:info").status() == 0);
        try (Stream<Path> files = Files.walk(home.resolve("cache"))) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }

        awaitAnswerThenStop();

        assertEquals("class archives in cache/ after the stop\n" + nodeOutput(), 1, classArchives().size());
    }

    @Test(timeout = 300_000)
    public void classArchive_cutShort_isRecordedAgain() throws Exception {
        startAndStopNode(Map.of());
        startAndStopNode(Map.of());
        // The first start that maps the archive also writes down its length.
        startAndStopNode(Map.of());
        Path archive = onlyFile(home.resolve("cache"), ".jsa");
        // What an interrupted copy of the home leaves: a valid header, and a JVM that maps it crashes (SIGBUS).
        assertTrue("archive made writable", archive.toFile().setWritable(true));
        try (RandomAccessFile file = new RandomAccessFile(archive.toFile(), "rw")) {
            file.setLength(1_000_000);
        }

        startAndStopNode(Map.of());

        assertTrue("reason for not using the archive\n" + nodeOutput(),
                nodeOutput().contains("not used, because its length is 1000000 bytes instead of the"));
        assertEquals("magic number of the archive recorded again", DYNAMIC_ARCHIVE_MAGIC, magicNumber(archive));
        assertNotEquals("length of the archive recorded again", 1_000_000, Files.size(archive));
    }

    @Test(timeout = 300_000)
    public void classArchive_crashedMapping_isRecordedAgain() throws Exception {
        startAndStopNode(Map.of());
        startAndStopNode(Map.of());
        Path archive = onlyFile(home.resolve("cache"), ".jsa");
        // What a JVM that crashed while it mapped the archive leaves: its marker, and its process gone.
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        String name = archive.getFileName().toString();
        Path marker = archive.resolveSibling(name.replace(".jsa", ".mapping-" + ended.pid()));
        Files.writeString(marker, "");

        startAndStopNode(Map.of());

        assertTrue("reason for not using the archive\n" + nodeOutput(),
                nodeOutput().contains("because process " + ended.pid() + " started with it and ended before its node"));
        assertFalse("marker of the ended process", Files.exists(marker));
        assertEquals("magic number of the archive recorded again", DYNAMIC_ARCHIVE_MAGIC, magicNumber(archive));
    }

    @Test(timeout = 300_000)
    public void classArchive_recordingStartFailed_isRecordedAgain() throws Exception {
        startNode();
        await("node answers cohort:info").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> clientWhileNodeRuns("cohort:info").status() == 0);
        Path started = onlyFile(home.resolve("cache"), ".started");
        Path complete = started.resolveSibling(started.getFileName().toString().replace(".started", ".complete"));
        Path archive = started.resolveSibling(started.getFileName().toString().replace(".started", ".jsa"));

        // The second start of the home records the archive, but node 1 already runs, so it fails at once. Its JVM
        // still writes an archive when it exits, with only the classes of that short run.
        ClientResult failed = run(List.of(home.resolve("bin/cohort").toString(), "run", "--no-console"));
        assertEquals(failed.describe(), 1, failed.status());
        assertFalse("marker of a complete recording after a failed start", Files.exists(complete));
        node.destroy();
        assertTrue("node still running after SIGTERM\n" + nodeOutput(),
                node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));

        Path classLog = temp.getRoot().toPath().resolve("class-load.log");
        startAndStopNode(Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog));
        assertFalse("the start after the failed one maps no class from its archive",
                Files.readString(classLog, StandardCharsets.UTF_8).contains("source: shared objects file (top)"));
        assertTrue("marker of a complete recording", Files.exists(complete));
        assertEquals("magic number of the archive recorded again", DYNAMIC_ARCHIVE_MAGIC, magicNumber(archive));

        startAndStopNode(Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog));
        assertNodeComponentFromArchive(classLog);
    }

    @Test(timeout = 240_000)
    public void classArchive_leftOverFile_isWrittenAgain() throws Exception {
        startAndStopNode(Map.of());
        Path started = onlyFile(home.resolve("cache"), ".started");
        Path archive = started.resolveSibling(started.getFileName().toString().replace(".started", ".jsa"));
        // What a node killed while it wrote the archive leaves: no header yet, and a claim of a process now gone.
        Files.write(archive, new byte[4096]);
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Files.writeString(claimFile(started), ended.pid() + "\n");

        startAndStopNode(Map.of());

        assertEquals("class archives in cache/", List.of(archive), classArchives());
        assertEquals("magic number of the archive written again", DYNAMIC_ARCHIVE_MAGIC, magicNumber(archive));
    }

    @Test(timeout = 240_000)
    public void classArchive_claimOfRunningProcess_writesNone() throws Exception {
        startAndStopNode(Map.of());
        Path started = onlyFile(home.resolve("cache"), ".started");
        // A claim by a running process, as another node of the home that records the archive would leave. This
        // test's JVM plays that node.
        String claim = ProcessHandle.current().pid() + "\n";
        Files.writeString(claimFile(started), claim);

        startAndStopNode(Map.of());

        assertEquals("class archives in cache/", List.of(), classArchives());
        assertEquals("claim in cache/", claim, Files.readString(claimFile(started)));
    }

    @Test(timeout = 240_000)
    public void classArchive_off_writesNone() throws Exception {
        startAndStopNode(Map.of("COHORT_CLASS_ARCHIVE", "off"));
        startAndStopNode(Map.of("COHORT_CLASS_ARCHIVE", "off"));

        assertEquals("class archives in cache/", List.of(), classArchives());
    }

    @Test(timeout = 300_000)
    public void twoNodes_sameHome_formCluster() throws Exception {
        Map<Path, FileTime> configTimes = modificationTimes(home.resolve("etc"));
        long startBegin = System.nanoTime();
        startNode();
        Path secondOutput = temp.getRoot().toPath().resolve("node-2-output.txt");
        secondNode = startProcess(List.of(home.resolve("bin/cohort").toString(), "--node", "2"), secondOutput);
        await("both nodes list two members").atMost(START_TIMEOUT.multipliedBy(2)).pollInterval(POLL_INTERVAL)
                .until(() -> memberCount(clientWhileNodeRuns("cohort:members", "--json")) == 2
                        && memberCount(nodeClient(2, "cohort:members", "--json")) == 2);
        long clusterMillis = millisSince(startBegin);

        ClientResult firstInfo = client("cohort:info");
        ClientResult secondInfo = nodeClient(2, "cohort:info");
        ClientResult secondMembers = nodeClient(2, "cohort:members");

        String firstId = Files.readString(home.resolve("data/node.id"), StandardCharsets.UTF_8).trim();
        String secondId = Files.readString(home.resolve("data/node-2/node.id"), StandardCharsets.UTF_8).trim();
        assertNotEquals("node ids of node 1 and node 2", firstId, secondId);
        assertTrue(firstInfo.describe(), firstInfo.stdout().contains("Node id:      " + firstId));
        assertTrue(secondInfo.describe(), secondInfo.stdout().contains("Node id:      " + secondId));
        assertTrue(secondInfo.describe(), secondInfo.stdout().contains("lock    hazelcast"));
        assertTrue(secondInfo.describe(), secondInfo.stdout().contains("Lock mode:    cp-unsafe"));
        assertTrue(secondMembers.describe(), secondMembers.stdout().contains("127.0.0.1:" + (FIRST_MEMBER_PORT + 1)
                + "  "));
        assertTrue("node 2 socket", Files.exists(home.resolve("data/node-2/run/cohort.sock")));
        // The database opens while the node starts, so node 2 may run commands before its DataSource is registered.
        await("node 2 opened the home's database").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> !linesWith(Files.readString(home.resolve("log/cohort-node-2.log"),
                        StandardCharsets.UTF_8), "Database " + sharedDatabaseUrl() + " is ready").isEmpty());

        node.destroy();
        secondNode.destroy();
        assertTrue("node 1 still running after SIGTERM\n" + nodeOutput(),
                node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue("node 2 still running after SIGTERM",
                secondNode.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("node 1 exit status\n" + nodeOutput(), 0, node.exitValue());
        assertEquals("node 2 exit status", 0, secondNode.exitValue());
        String firstLog = Files.readString(home.resolve("log/cohort.log"), StandardCharsets.UTF_8);
        String secondLog = Files.readString(home.resolve("log/cohort-node-2.log"), StandardCharsets.UTF_8);
        assertTrue("node 1 log names node 1:\n" + firstLog, firstLog.contains(", node 1, data "));
        assertTrue("node 2 log names node 2:\n" + secondLog, secondLog.contains(", node 2, data "));
        assertEquals("node 2 lines in log/cohort.log", List.of(), linesWith(firstLog, ", node 2, data "));
        assertEquals("CP unsafe-mode WARN lines in log/cohort-node-2.log", 1,
                linesWith(secondLog, "CP subsystem in unsafe mode").size());
        assertEquals("node 2 opened the home's database:\n" + secondLog, 1,
                linesWith(secondLog, "Database " + sharedDatabaseUrl() + " is ready").size());
        assertFalse("node 2 database folder data/node-2/db", Files.exists(home.resolve("data/node-2/db")));
        assertEquals("modification times of the shared etc/ after two nodes ran", configTimes,
                modificationTimes(home.resolve("etc")));
        assertEquals("ERROR lines in log/cohort.log", List.of(), linesWith(firstLog, " ERROR "));
        assertEquals("ERROR lines in log/cohort-node-2.log", List.of(), linesWith(secondLog, " ERROR "));
        // A metrics collection that runs while a member hands its partitions over fails when the stop interrupts it.
        assertEquals("Hazelcast metrics lines in log/cohort.log", List.of(), linesWith(firstLog, "MetricsCollection"));
        assertEquals("Hazelcast metrics lines in log/cohort-node-2.log", List.of(),
                linesWith(secondLog, "MetricsCollection"));

        System.out.printf("Cohort distribution: bin/cohort and bin/cohort --node 2 listed each other as members %d ms"
                + " after both started%n", clusterMillis);
    }

    /** Returns the modification time of each file directly in {@code folder}. */
    private static Map<Path, FileTime> modificationTimes(Path folder) throws IOException {
        Map<Path, FileTime> times = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                times.put(file.getFileName(), Files.getLastModifiedTime(file));
            }
        }
        return times;
    }

    /**
     * Checks with {@code lb} that every jar of system/ was installed and is ACTIVE. A bundle whose imports do not
     * resolve would stay INSTALLED.
     */
    private void assertSystemBundlesActive() throws Exception {
        ClientResult bundles = client("lb");
        assertEquals(bundles.describe(), 0, bundles.status());

        List<String> systemRows = new ArrayList<>();
        List<String> notActive = new ArrayList<>();
        Matcher row = BUNDLE_ROW.matcher(bundles.stdout());
        while (row.find()) {
            int level = Integer.parseInt(row.group(3));
            if (level >= 1 && level <= LAST_SYSTEM_LEVEL) {
                systemRows.add(row.group());
                if (!row.group(2).equals("Active")) {
                    notActive.add(row.group());
                }
            }
        }

        assertEquals("system bundles listed by lb\n" + bundles.describe(), systemJarCount(), systemRows.size());
        assertEquals("system bundles not ACTIVE", List.of(), notActive);
    }

    /**
     * Checks that the database component is ACTIVE and that the JDBC bundle registers the DataSource, the
     * transaction manager and the sync outbox. The database opens on a thread of its own while the node starts, so
     * the node may run commands before these services are registered. The DataSource registers only after the first
     * connection and the migrations succeeded.
     */
    private void assertDatabaseServicesRegistered() throws Exception {
        ClientResult database = client("scr:info", "io.cohort.jdbc.DatabaseComponent");
        assertEquals(database.describe(), 0, database.status());
        assertTrue(database.describe(), database.stdout().contains("State:        ACTIVE"));

        await("DataSource, TransactionManager and SyncOutbox registered").atMost(START_TIMEOUT)
                .pollInterval(POLL_INTERVAL).until(() -> {
                    String services = clientWhileNodeRuns("inspect", "capability", "service", "io.cohort.jdbc")
                            .stdout();
                    return services.contains("service; javax.sql.DataSource with properties")
                            && services.contains("service; io.cohort.api.tx.TransactionManager with properties")
                            && services.contains("service; io.cohort.api.spi.SyncOutbox with properties");
                });
    }

    private long systemJarCount() throws IOException {
        try (Stream<Path> files = Files.walk(home.resolve("system"))) {
            return files.filter(file -> file.toString().endsWith(".jar")).count();
        }
    }

    /** Returns the URL that the shipped etc/io.cohort.jdbc.cfg gives every node of the home, as the node logs it. */
    private String sharedDatabaseUrl() throws IOException {
        return "jdbc:h2:file:" + home.toRealPath().resolve("data/db/cohort") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
    }

    private void startNode() throws IOException {
        startNode(List.of(home.resolve("bin/cohort").toString()));
    }

    private void startNode(List<String> commandLine) throws IOException {
        node = startProcess(commandLine, nodeOutput);
    }

    /** Starts node 1 with {@code environment} added, waits until cohort:info succeeds, stops it, checks its exit. */
    private void startAndStopNode(Map<String, String> environment) throws Exception {
        node = startProcess(List.of(home.resolve("bin/cohort").toString()), nodeOutput, environment);
        awaitAnswerThenStop();
    }

    /** Waits until the running node answers cohort:info, sends it SIGTERM and checks that it exits with 0. */
    private void awaitAnswerThenStop() throws Exception {
        await("node answers cohort:info").atMost(START_TIMEOUT).pollInterval(POLL_INTERVAL)
                .until(() -> clientWhileNodeRuns("cohort:info").status() == 0);

        node.destroy();
        boolean stopped = node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertTrue("node still running " + STOP_TIMEOUT.toSeconds() + " s after SIGTERM\n" + nodeOutput(), stopped);
        assertEquals("exit status after SIGTERM\n" + nodeOutput(), 0, node.exitValue());
    }

    /** Checks that the JVM whose class loading {@code classLog} lists mapped NodeComponent from the archive. */
    private static void assertNodeComponentFromArchive(Path classLog) throws IOException {
        List<String> nodeComponent = linesWith(Files.readString(classLog, StandardCharsets.UTF_8),
                "io.cohort.core.node.NodeComponent ");
        assertEquals("loads of NodeComponent in " + classLog, 1, nodeComponent.size());
        assertTrue("NodeComponent comes from the archive: " + nodeComponent.get(0),
                nodeComponent.get(0).contains("source: shared objects file"));
    }

    private List<Path> classArchives() throws IOException {
        return cacheFiles(name -> name.endsWith(".jsa"));
    }

    /** Returns the WARN and ERROR lines of {@code log} that contain one of {@code sources}. */
    private static List<String> problemLines(String log, String... sources) {
        return log.lines()
                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                .filter(line -> Stream.of(sources).anyMatch(line::contains))
                .collect(Collectors.toList());
    }

    /** Returns the files of cache/ whose names {@code name} accepts, sorted; none while cache/ does not exist. */
    private List<Path> cacheFiles(Predicate<String> name) throws IOException {
        Path cache = home.resolve("cache");
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(file -> name.test(file.getFileName().toString())).sorted()
                    .collect(Collectors.toList());
        }
    }

    private static Path onlyFile(Path folder, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> matching = files.filter(file -> file.getFileName().toString().endsWith(suffix))
                    .collect(Collectors.toList());
            assertEquals("files *" + suffix + " in " + folder, 1, matching.size());
            return matching.get(0);
        }
    }

    /** Returns the claim file of the archive that the {@code .started} file {@code started} belongs to. */
    private static Path claimFile(Path started) {
        return started.resolveSibling(started.getFileName().toString().replace(".started", ".recording"));
    }

    private static int magicNumber(Path archive) throws IOException {
        byte[] bytes = Files.readAllBytes(archive);
        return ByteBuffer.wrap(bytes, 0, Integer.BYTES).order(ByteOrder.nativeOrder()).getInt();
    }

    private static Process startProcess(List<String> commandLine, Path output) throws IOException {
        return startProcess(commandLine, output, Map.of());
    }

    private static Process startProcess(List<String> commandLine, Path output, Map<String, String> environment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(output.toFile())
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_OPTS");
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Returns the number of members that {@code cohort:members --json} listed, or -1 when the command failed. */
    private static int memberCount(ClientResult members) {
        if (members.status() != 0) {
            return -1;
        }
        Matcher address = MEMBER_ADDRESS.matcher(members.stdout());
        int count = 0;
        while (address.find()) {
            count++;
        }
        return count;
    }

    private ClientResult nodeClient(int nodeNumber, String... command) throws Exception {
        if (!secondNode.isAlive()) {
            throw new AssertionError("node " + nodeNumber + " exited with status " + secondNode.exitValue());
        }
        List<String> commandLine = new ArrayList<>(List.of(home.resolve("bin/cohort").toString(), "--node",
                Integer.toString(nodeNumber), "client"));
        commandLine.addAll(List.of(command));
        return run(commandLine);
    }

    /**
     * Gives the copy's Hazelcast member a cluster name of its own and the ports {@link #FIRST_MEMBER_PORT} to
     * {@link #LAST_MEMBER_PORT}.
     */
    private static void useOwnCluster(Path config) throws IOException {
        String shipped = Files.readString(config, StandardCharsets.UTF_8);
        String portPrefix = Integer.toString(FIRST_MEMBER_PORT / 10);
        String clusterName = "distribution-it-" + ProcessHandle.current().pid();
        String changed = shipped
                .replaceFirst("(?m)^cluster\\.name=.*$", "cluster.name=" + clusterName)
                .replaceFirst("(?m)^port=570\\$\\{cohort\\.node\\}$", "port=" + portPrefix + "\\${cohort.node}")
                .replaceFirst("(?m)^port\\.count=.*$", "port.count=1")
                .replaceFirst("(?m)^members=.*$", "members=127.0.0.1:" + FIRST_MEMBER_PORT + "-" + LAST_MEMBER_PORT);
        assertTrue("the shipped " + config + " has the expected cluster.name, port, port.count and members lines",
                changed.contains("port=" + portPrefix + "${cohort.node}")
                        && changed.contains("members=127.0.0.1:" + FIRST_MEMBER_PORT));
        Files.writeString(config, changed, StandardCharsets.UTF_8);
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

    private static Path builtFolder() {
        return Path.of(System.getProperty("cohort.dist.dir", "../target/cohort")).toAbsolutePath().normalize();
    }

    /**
     * Copies the built folder, leaving out what a node run in it may have left in data/, log/ and deploy/, and the
     * class archive that the build recorded in cache/, so that each test starts as a home without one.
     */
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
        return name.equals("data") || name.equals("log") || name.equals("deploy") || name.equals("cache");
    }

    /** The outcome of one {@code bin/cohort} process. */
    private record ClientResult(String commandLine, int status, String stdout, String stderr) {

        String describe() {
            return commandLine + " exited with " + status + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }
}
