package io.cohort.bench.report;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class ReportWriterTest {

    /** A findings file's text, which only the page of a full run contains. */
    private static final String FINDINGS = "## Findings: where Cohort costs more, and why\n\nSample finding.\n";

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void hotDeployVerdict_allWithinLimit_met() {
        assertEquals("met", ReportWriter.hotDeployVerdict(List.of(300.0, 400.0, 500.0), 500));
    }

    @Test
    public void hotDeployVerdict_someOver_metByMedian() {
        assertEquals("met by the median; 1 of 3 deploys took longer",
                ReportWriter.hotDeployVerdict(List.of(300.0, 400.0, 501.0), 500));
    }

    @Test
    public void hotDeployVerdict_mostOver_missedByMedian() {
        assertEquals("missed by the median; 1 of 3 deploys were within",
                ReportWriter.hotDeployVerdict(List.of(450.0, 550.0, 600.0), 500));
    }

    @Test
    public void hotDeployVerdict_allOver_missed() {
        assertEquals("missed", ReportWriter.hotDeployVerdict(List.of(550.0, 600.0), 500));
    }

    @Test
    public void write_hotDeployResults_rendersTargetAndSteps() throws IOException {
        Path results = folder.newFolder("results").toPath();
        Files.writeString(results.resolve("hotdeploy.json"), """
                {"pollMillis": 250, "plugin": "sample-starter-1.jar", "deploys": [
                  {"round": 0, "loadMillis": 780, "installMillis": 420, "startMillis": 161, "hookMillis": 199,
                   "seenMillis": 784, "unloadMillis": 388, "unloadHookMillis": 151},
                  {"round": 1, "loadMillis": 300, "installMillis": 260, "startMillis": 30, "hookMillis": 10,
                   "seenMillis": 303, "unloadMillis": 250, "unloadHookMillis": 20},
                  {"round": 2, "loadMillis": 400, "installMillis": -1, "startMillis": -1, "hookMillis": 12,
                   "seenMillis": 405, "unloadMillis": 260, "unloadHookMillis": 22},
                  {"round": 3, "loadMillis": 550, "installMillis": 500, "startMillis": 36, "hookMillis": 14,
                   "seenMillis": 551, "unloadMillis": 270, "unloadHookMillis": 24}]}
                """);

        String report = write(results);

        assertTrue(report, report.contains("| hot deploy: jar copied into `deploy/` → plugin `LOADED` ≤ 2 poll "
                + "intervals (500 ms) | 400 ms, 1.60× of the poll interval (1.20–2.20) | met by the median; 1 of 3 "
                + "deploys took longer |"));
        assertTrue(report, report.contains("| jar copied → plugin `LOADED` | 400 ms | 300 ms–550 ms | 1.60× "
                + "(1.20–2.20) |"));
        assertTrue(report, report.contains("| of which: copied → bundle installed (FileInstall) | 380 ms | "
                + "260 ms–500 ms | 1.52× (1.04–2.00) |"));
        assertTrue(report, report.contains("3 deploys, after a first one that took 780 ms"));
        assertTrue(report, report.contains("The harness read each line 3 ms after its timestamp (median)."));
    }

    @Test
    public void write_syncResults_rendersAddedDelayAgainstFloor() throws IOException {
        Path results = folder.newFolder("results").toPath();
        Files.writeString(results.resolve("harness.json"), "["
                + latency("pubsub", 300) + "," + latency("syncImmediate", 330) + ","
                + latency("syncAfterCommit", 560) + "," + latency("syncDurable", 2_150) + ","
                + latency("transaction", 250) + "]");

        String report = write(results);

        assertTrue(report, report.contains("| sync message, immediate: p50 within 1 ms of pub/sub (no fixed delay) | "
                + "p50 330 µs against 300 µs at 200 msg/s: +30 µs | met |"));
        assertTrue(report, report.contains("| sync message after commit: p50 within 1 ms of pub/sub + the "
                + "transaction (no fixed delay) | p50 560 µs against 300 µs + 250 µs at 200 msg/s: +10 µs | met |"));
        assertTrue(report, report.contains("| durable sync message | 2.15 ms | 550 µs | +1.6 ms |"));
        assertTrue(report, report.contains("with no debounce or timer in between"));
    }

    @Test
    public void write_syncOverLimit_missed() throws IOException {
        Path results = folder.newFolder("results").toPath();
        Files.writeString(results.resolve("harness.json"), "[" + latency("pubsub", 300) + ","
                + latency("syncImmediate", 10_300) + "," + latency("syncAfterCommit", 560) + ","
                + latency("transaction", 250) + "]");

        String report = write(results);

        assertTrue(report, report.contains("p50 10.3 ms against 300 µs at 200 msg/s: +10 ms | missed |"));
        assertTrue(report, report.contains("took more than 1 ms longer than its floor"));
        assertTrue(report, report.contains("| durable sync message | not measured | | |"));
    }

    @Test
    public void write_withoutNewGroups_saysNotMeasured() throws IOException {
        String report = write(folder.newFolder("results").toPath());

        assertTrue(report, report.contains("| hot deploy: jar copied into `deploy/` → plugin `LOADED` ≤ 2 poll "
                + "intervals | not measured | – |"));
        assertTrue(report, report.contains("| sync message, immediate: p50 within 1 ms of pub/sub (no fixed delay) | "
                + "not measured | – |"));
    }

    @Test
    public void write_partialRunWithoutBuild_leavesFindingsOut() throws IOException {
        String report = writeRunOf("bench/run.sh --quick --no-build --only pubsub,sync");

        assertTrue(report, report.contains("bench/run.sh --quick --no-build --only pubsub,sync\n"));
        assertTrue(report, report.contains("It uses `bench/target/cohort-bench.jar` and the node folder "
                + "`runtime/target/cohort` as built before, starts Redis"));
        assertTrue(report, report.contains("runs the chosen groups in one JVM, stops Redis and writes this page "
                + "beside the results"));
        assertTrue(report, report.contains("The findings that explain these rows belong to the full run of "
                + "`docs/benchmarks.md`"));
        assertFalse(report, report.contains("Sample finding."));
    }

    @Test
    public void write_fullRun_buildsAndRewritesPage() throws IOException {
        String report = writeRunOf("bench/run.sh --quick");

        assertTrue(report, report.contains("It builds `bench/target/cohort-bench.jar` and the node folder "
                + "`runtime/target/cohort`, starts Redis on 127.0.0.1 (persistence off), runs every group in one JVM"));
        assertTrue(report, report.contains("stops Redis and rewrites this page from the results"));
        assertFalse(report, report.contains("The findings that explain these rows"));
        assertTrue(report, report.contains("\n## Findings: where Cohort costs more, and why\n\nSample finding.\n"));
    }

    /** Writes the report, with {@link #FINDINGS}, of a run that recorded {@code command} and measured nothing. */
    private String writeRunOf(String command) throws IOException {
        Path results = folder.newFolder("results").toPath();
        Files.writeString(results.resolve("environment.json"), "{\"command\": \"" + command + "\"}");
        return new ReportWriter(Results.read(results)).write(FINDINGS);
    }

    private static String write(Path results) throws IOException {
        return new ReportWriter(Results.read(results)).write("");
    }

    private static String latency(String system, double p50Micros) {
        return "{\"section\": \"sync\", \"system\": \"" + system + "\", \"metric\": \"latency\", \"targetRate\": 200, "
                + "\"sent\": 6000, \"received\": 6000, \"p50Micros\": " + p50Micros + ", \"p99Micros\": 900, "
                + "\"p999Micros\": 1000, \"maxMicros\": 2000, \"roundsPerSecond\": []}";
    }
}
