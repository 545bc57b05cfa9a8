package io.cohort.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Runs {@code bin/cohort-demo} of the built node folder as a user would, with its temporary folder under this test's
 * own, and checks that it completes every scenario and that no node it started outlives it, also when it is stopped
 * with SIGTERM halfway and signalled again while it stops its nodes.
 *
 * <p>The demo's member ports are 127.0.0.1:6011-6020 for the complete run and 6021-6030 for the stopped one, clear
 * of the other process tests' ports.
 */
public class DemoScriptIT {

    private static final Duration DEMO_LIMIT = Duration.ofMinutes(6);
    /** The script gives its nodes 30 s to stop, after a client call in flight that the node ends within 30 s. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(90);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path demoScript;
    private Path tmpDir;
    private Path output;
    private Process demo;

    @Before
    public void locateDemo() throws IOException {
        Path built = Path.of(System.getProperty("cohort.dist.dir", "../target/cohort")).toAbsolutePath().normalize();
        demoScript = built.resolve("bin/cohort-demo");
        assertTrue("the demo script " + demoScript + " is missing; run the package phase first",
                Files.isExecutable(demoScript));
        tmpDir = temp.newFolder("tmp").toPath();
        output = temp.getRoot().toPath().resolve("demo-output.txt");
    }

    /** Kills whatever the demo left running under this test's folder, so that a failed test leaves no process. */
    @After
    public void killLeftovers() {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly();
        }
        nodesOfThisTest().forEach(ProcessHandle::destroyForcibly);
    }

    @Test(timeout = 420_000)
    public void demo_fullRun_completesEveryScenarioAndStopsItsNodes() throws Exception {
        demo = startDemo(6011);

        assertTrue("the demo did not end within " + DEMO_LIMIT.toMinutes() + " min\n" + output(),
                demo.waitFor(DEMO_LIMIT.toMillis(), TimeUnit.MILLISECONDS));

        String text = output();
        assertEquals(text, 0, demo.exitValue());
        assertTrue(text, text.contains("== Demo complete"));
        assertTrue(text, text.contains("Wrote version 2; every node reads it on its next read."));
        assertTrue(text, text.contains("Collections in the registry of node demo-3: 1"));
        assertTrue(text, text.contains("stopped on node demo-"));
        assertTrue(text, text.matches("(?s).*completed on node demo-\\d, attempt [2-9].*"));
        assertEquals("nodes left running", List.of(), describe(nodesOfThisTest()));
        assertEquals("folders left in " + tmpDir, List.of(), list(tmpDir));
    }

    @Test(timeout = 240_000)
    public void demo_sigtermAfterStart_stopsNodesAndRemovesFolder() throws Exception {
        demo = startDemo(6021);
        await().atMost(DEMO_LIMIT).pollInterval(Duration.ofMillis(200)).until(
                () -> output().contains("== Deploying the samples") || !demo.isAlive());
        assertTrue("the demo ended before its nodes started\n" + output(), demo.isAlive());
        assertEquals("nodes running before SIGTERM", 3, nodesOfThisTest().size());

        demo.destroy();
        // A second SIGTERM while the script stops its nodes, as from an impatient user, must not cut that short.
        await().atMost(STOP_LIMIT).pollInterval(Duration.ofMillis(20)).until(
                () -> output().contains("== Stopping the nodes") || !demo.isAlive());
        demo.destroy();

        assertTrue("the demo did not end within " + STOP_LIMIT.toSeconds() + " s of SIGTERM\n" + output(),
                demo.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
        String text = output();
        assertEquals(text, 143, demo.exitValue());
        assertTrue(text, text.contains("== Stopping the nodes"));
        for (int node = 1; node <= 3; node++) {
            assertTrue(text, text.matches("(?s).*\\bnode " + node + " \\(pid \\d+\\) stopped\\b.*"));
        }
        assertFalse(text, text.contains("Node logs kept in"));
        assertEquals("nodes left running", List.of(), describe(nodesOfThisTest()));
        assertEquals("folders left in " + tmpDir, List.of(), list(tmpDir));
    }

    private Process startDemo(int firstPort) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(demoScript.toString(), "--port", String.valueOf(firstPort))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(output.toFile())
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("TMPDIR", tmpDir.toString());
        return builder.start();
    }

    /** Returns the node JVMs started from a home under this test's temporary folder. */
    private List<ProcessHandle> nodesOfThisTest() {
        String folder = tmpDir.toString();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info().commandLine()
                        .map(line -> line.contains(folder) && line.contains("io.cohort.launcher.Main"))
                        .orElse(false))
                .collect(Collectors.toList());
    }

    private static List<String> describe(List<ProcessHandle> processes) {
        return processes.stream()
                .map(process -> process.pid() + " " + process.info().commandLine().orElse("?"))
                .collect(Collectors.toList());
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(Path::toString).collect(Collectors.toList());
        }
    }

    private String output() throws IOException {
        return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    }
}
