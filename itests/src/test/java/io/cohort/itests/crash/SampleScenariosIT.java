package io.cohort.itests.crash;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.cohort.itests.crash.ProcessNode.ClientResult;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Runs the scenarios of the three sample plugins ({@code sample-auth}, {@code sample-collections} and
 * {@code sample-tasks}, as shipped in the distribution's {@code examples/}) on three node processes that share one
 * H2 database, drives them through {@code bin/cohort client} as the demo script does, and checks what every node
 * sees, including a task that survives the SIGKILL of the node running it.
 */
public class SampleScenariosIT {

    private static final int FIRST_PORT = ProcessCluster.SAMPLES_PORT_RANGE_FIRST;

    /** Milliseconds per task step; long enough that the test sees tasks running, short enough to finish soon. */
    private static final int STEP_MS = 300;

    /** Steps of each task: 24 s per task, so that all three still run when the test kills a node. */
    private static final int STEPS = 80;

    /** Generous limits for a loaded two-core machine; the conditions usually hold within a few seconds. */
    private static final Duration SHORT_LIMIT = Duration.ofSeconds(30);
    private static final Duration RERUN_LIMIT = Duration.ofSeconds(90);

    /**
     * A row of {@code tasks:list}: id, kind, status, steps done/steps and percent, node, attempt, message.
     */
    private static final Pattern TASK_ROW = Pattern.compile(
            "(?m)^(\\S+)\\s+(\\S+)\\s+(QUEUED|RUNNING|DONE|CANCELLED|FAILED)\\s+(\\d+)/(\\d+) \\d+%\\s+(\\S+)\\s+(\\d+)"
                    + "\\s+(.*)$");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 300_000)
    public void samples_threeNodes_everyNodeSeesTheSameState() throws Exception {
        long testStart = System.nanoTime();
        Path root = temp.newFolder("nodes").toPath();
        Map<String, String> memberSettings = Map.of(
                "cp.member.count", "0",
                "shutdown.graceful", "false");
        try (ProcessCluster cluster = new ProcessCluster(root, FIRST_PORT, 3, memberSettings)) {
            // One database for the three homes, served by the first node that opens it, as in one home's data/db.
            cluster.configure("io.cohort.jdbc", Map.of(
                    "url", "jdbc:h2:file:" + root.resolve("db").resolve("samples") + ";AUTO_SERVER=TRUE"));
            cluster.configure("io.cohort.sample.tasks", Map.of(
                    "concurrency", "1",
                    "step.ms", String.valueOf(STEP_MS)));
            try {
                long phase = System.nanoTime();
                cluster.start();
                phase = logPhase("cluster start", phase);
                deploySamples(cluster);
                phase = logPhase("deploy", phase);
                authPolicy_changedOnOneNode_everyNodeReadsItAtOnce(cluster);
                phase = logPhase("auth scenario", phase);
                collections_changedOnEveryNode_everyRegistryShowsTheSameSchema(cluster);
                phase = logPhase("collections scenario", phase);
                tasks_cancelledAndNodeKilled_everyNodeSeesTheOutcome(cluster);
                phase = logPhase("tasks scenario", phase);
                tasks_queuedWithoutId_deadLettered(cluster);
                logPhase("task without id", phase);
            } catch (Throwable failure) {
                cluster.keepLogs(Path.of("target", "crash-logs", "SampleScenariosIT"));
                throw failure;
            }
        }
        System.out.printf("Sample scenarios test took %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - testStart));
    }

    /** Prints how long a phase took, so a slow run shows where the time went; returns the time now. */
    private static long logPhase(String name, long startNanos) {
        long now = System.nanoTime();
        System.out.printf("Sample scenarios: %s took %d ms%n", name, TimeUnit.NANOSECONDS.toMillis(now - startNanos));
        return now;
    }

    private static void deploySamples(ProcessCluster cluster) throws IOException {
        Path examples = cluster.node(0).home().resolve("examples");
        for (String sample : List.of("sample-auth", "sample-collections", "sample-tasks")) {
            cluster.deploy(example(examples, sample), sample);
        }
    }

    private static void authPolicy_changedOnOneNode_everyNodeReadsItAtOnce(ProcessCluster cluster) throws Exception {
        for (ProcessNode node : cluster.nodes()) {
            String policy = ok(node, "auth:policy");
            assertTrue(policy, policy.startsWith("Token policy version 1,"));
        }

        ProcessNode writer = cluster.node(1);
        String written = ok(writer, "auth:policy", "set", "token-ttl-minutes=15", "max-failed-logins=3",
                "require-mfa=true");
        assertTrue(written, written.startsWith("Wrote version 2;"));

        // No waiting: the cached version 1 would live for 60 s, so only the delete after the commit lets every node
        // read version 2 right away.
        for (ProcessNode node : cluster.nodes()) {
            String policy = ok(node, "auth:policy");
            assertTrue(node + ": " + policy, policy.startsWith("Token policy version 2, written by b "));
            assertTrue(node + ": " + policy, policy.contains("token-ttl-minutes:   15\n"));
            assertTrue(node + ": " + policy, policy.contains("max-failed-logins:   3\n"));
            assertTrue(node + ": " + policy, policy.contains("require-mfa:         true\n"));
        }

        ClientResult invalid = cluster.node(2).client("auth:policy", "set", "token-ttl-minutes=0");
        assertEquals(invalid.describe(), 1, invalid.status());
        assertTrue(invalid.describe(), invalid.stderr().contains("token-ttl-minutes '0' is invalid"));
        String unchanged = ok(cluster.node(0), "auth:policy");
        assertTrue(unchanged, unchanged.startsWith("Token policy version 2,"));
    }

    private static void collections_changedOnEveryNode_everyRegistryShowsTheSameSchema(ProcessCluster cluster)
            throws Exception {
        ProcessNode a = cluster.node(0);
        ProcessNode b = cluster.node(1);
        ProcessNode c = cluster.node(2);
        ok(a, "collections:create", "catalog");
        ok(b, "collections:add-field", "catalog", "title", "text");
        ok(c, "collections:add-field", "catalog", "price", "decimal");
        ok(a, "collections:add-field", "catalog", "sku", "text");
        ok(b, "collections:add-field", "catalog", "stock", "integer");
        ok(c, "collections:add-field", "catalog", "notes", "text");

        // Two removals of one collection at the same moment: without the lock, one of them could read version 6
        // after the other had moved the row on, and fail.
        ExecutorService clients = Executors.newFixedThreadPool(2, runnable -> new Thread(runnable,
                "samples-it-remove-field"));
        try {
            Future<ClientResult> fromB = clients.submit(() -> b.client("collections:remove-field", "catalog",
                    "price"));
            Future<ClientResult> fromC = clients.submit(() -> c.client("collections:remove-field", "catalog",
                    "stock"));
            ClientResult removedOnB = fromB.get(ProcessNode.CLIENT_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            ClientResult removedOnC = fromC.get(ProcessNode.CLIENT_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            assertEquals(removedOnB.describe(), 0, removedOnB.status());
            assertEquals(removedOnC.describe(), 0, removedOnC.status());
            assertEquals("versions written by the two removals", Set.of("v7", "v8"),
                    new TreeSet<>(List.of(version(removedOnB.stdout()), version(removedOnC.stdout()))));
        } finally {
            clients.shutdownNow();
        }

        String expected = "catalog              v8    title:text, sku:text, notes:text";
        for (ProcessNode node : cluster.nodes()) {
            eventually(SHORT_LIMIT, () -> {
                String list = ok(node, "collections:list");
                assertEquals(node + " registry", "Collections in the registry of node " + node.name() + ": 1\n"
                        + expected + "\n", list);
            });
        }

        ClientResult missing = a.client("collections:remove-field", "catalog", "price");
        assertEquals(missing.describe(), 1, missing.status());
        assertTrue(missing.describe(), missing.stderr().contains("field 'price' not found"));
    }

    private static void tasks_cancelledAndNodeKilled_everyNodeSeesTheOutcome(ProcessCluster cluster)
            throws Exception {
        ProcessNode a = cluster.node(0);
        List<String> ids = new ArrayList<>();
        for (String kind : List.of("report", "export", "reindex")) {
            String submitted = ok(a, "tasks:submit", kind, String.valueOf(STEPS));
            Matcher id = Pattern.compile("^Submitted task (\\S+)$").matcher(submitted.trim());
            assertTrue(submitted, id.matches());
            ids.add(id.group(1));
        }

        // One slot per node and three tasks: each node runs one of them.
        Map<String, TaskLine> running = new LinkedHashMap<>();
        eventually(SHORT_LIMIT, () -> {
            Map<String, TaskLine> tasks = tasks(a);
            running.clear();
            for (String id : ids) {
                TaskLine task = tasks.get(id);
                assertNotNull("task " + id + " missing from tasks:list", task);
                assertEquals(task.toString(), "RUNNING", task.status());
                assertTrue(task.toString(), task.done() >= 1);
                running.put(task.node(), task);
            }
            assertEquals("nodes running the three tasks: " + tasks.values(), Set.of("a", "b", "c"),
                    running.keySet());
        });
        for (ProcessNode node : cluster.nodes()) {
            String list = ok(node, "tasks:list");
            assertTrue(list, list.startsWith("Node " + node.name() + " runs 1 of 1 task slots."));
        }

        // Node a serves the shared H2 database, so the node killed is c, right away, while its task still runs.
        ProcessNode victim = cluster.node(2);
        TaskLine orphan = running.get(victim.name());
        TaskLine atKill = tasks(a).get(orphan.id());
        assertEquals("the task on " + victim + " ended before the kill: " + atKill, "RUNNING", atKill.status());
        assertEquals(victim + " exit status", ProcessNode.SIGKILL_EXIT_STATUS, victim.kill());
        int doneAtKill = tasks(a).get(orphan.id()).done();

        // The task on a is cancelled from b, which frees a's slot for the task of the killed node.
        List<ProcessNode> survivors = List.of(cluster.node(0), cluster.node(1));
        TaskLine cancelled = running.get("a");
        String cancelOutput = ok(cluster.node(1), "tasks:cancel", cancelled.id());
        assertTrue(cancelOutput, cancelOutput.contains("sent to every node"));
        for (ProcessNode node : survivors) {
            eventually(SHORT_LIMIT, () -> {
                TaskLine task = tasks(node).get(cancelled.id());
                assertEquals(task.toString(), "CANCELLED", task.status());
                assertEquals(task.toString(), "cancelled from node b, stopped on node a", task.message());
                assertTrue(task.toString(), task.done() < task.steps());
            });
        }

        eventually(RERUN_LIMIT, () -> {
            TaskLine task = tasks(a).get(orphan.id());
            assertTrue(task.toString(), Set.of("RUNNING", "DONE").contains(task.status()));
            assertEquals(task.toString(), "a", task.node());
            assertTrue(task.toString(), task.attempt() >= 2);
            assertTrue("progress went back: " + task + ", " + doneAtKill + " steps at the kill",
                    task.done() >= doneAtKill);
        });

        for (TaskLine task : List.of(orphan, running.get("b"))) {
            eventually(RERUN_LIMIT, () -> {
                TaskLine done = tasks(a).get(task.id());
                assertEquals(done.toString(), "DONE", done.status());
                assertEquals(done.toString(), done.steps(), done.done());
            });
        }
        TaskLine rerun = tasks(a).get(orphan.id());
        assertEquals(rerun.toString(), "a", rerun.node());
        assertTrue(rerun.toString(), rerun.attempt() >= 2);
        assertEquals(rerun.toString(), "completed on node a, attempt " + rerun.attempt(), rerun.message());
        assertEquals("tasks:list on a and b", tasks(a), tasks(cluster.node(1)));
    }

    /**
     * Publishes a task whose payload names no task row, without retries, and checks that it moves to the dead
     * letters with a message saying so instead of completing.
     */
    private static void tasks_queuedWithoutId_deadLettered(ProcessCluster cluster) throws Exception {
        ProcessNode a = cluster.node(0);
        String published = ok(a, "queue:publish", "--max-retries", "0", "sample-tasks.run", "{}");
        Matcher id = Pattern.compile("^Published task (\\S+) on queue channel").matcher(published.trim());
        assertTrue(published, id.find());

        eventually(SHORT_LIMIT, () -> {
            String dead = ok(a, "queue:dead", "sample-tasks.run", "--json");
            assertTrue(dead, Pattern.compile("\"taskId\"\\s*:\\s*\"" + Pattern.quote(id.group(1)) + "\"")
                    .matcher(dead).find());
            assertTrue(dead, dead.contains("has no taskId"));
        });
    }

    private static String ok(ProcessNode node, String... command) throws Exception {
        ClientResult result = node.client(command);
        assertEquals(result.describe(), 0, result.status());
        return result.stdout();
    }

    private static Map<String, TaskLine> tasks(ProcessNode node) throws Exception {
        Map<String, TaskLine> tasks = new LinkedHashMap<>();
        Matcher row = TASK_ROW.matcher(ok(node, "tasks:list"));
        while (row.find()) {
            tasks.put(row.group(1), new TaskLine(row.group(1), row.group(3), Integer.parseInt(row.group(4)),
                    Integer.parseInt(row.group(5)), row.group(6), Integer.parseInt(row.group(7)),
                    row.group(8).trim()));
        }
        return tasks;
    }

    private static String version(String changed) {
        Matcher version = Pattern.compile("\\bv\\d+\\b").matcher(changed);
        assertTrue(changed, version.find());
        return version.group();
    }

    private static Path example(Path examples, String sample) throws IOException {
        try (Stream<Path> files = Files.list(examples)) {
            List<Path> jars = files.filter(file -> file.getFileName().toString().startsWith(sample + "-")
                    && file.getFileName().toString().endsWith(".jar")).collect(Collectors.toList());
            assertEquals("jars of " + sample + " in " + examples, 1, jars.size());
            return jars.get(0);
        }
    }

    /** One row of {@code tasks:list}. */
    private record TaskLine(String id, String status, int done, int steps, String node, int attempt,
            String message) {
    }
}
