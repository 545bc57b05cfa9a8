package io.cohort.itests.crash;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.cohort.itests.crash.ProcessNode.ClientResult;
import io.cohort.itests.crash.plugin.CrashPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Kills a node with SIGKILL while the event queue of the {@code hazelcast} adapter runs tasks on three node
 * processes, and checks at-least-once delivery: every task completes, and only the tasks the dead node had in flight
 * run again, as their next attempt.
 */
public class QueueNodeCrashIT {

    private static final int TASKS = 1_000;
    private static final int FIRST_PORT = 5971;

    /** From the publish until every task has been recorded by some node. */
    private static final Duration COMPLETION_LIMIT = Duration.ofSeconds(60);

    /**
     * The killed node's consumer runs at most {@link CrashPlugin#CONCURRENCY} attempts at once, and the adapter keeps
     * one in-flight entry per running attempt under the node's member. Only those entries are requeued when the
     * member leaves, so at most that many tasks run again.
     */
    private static final int MAX_RERUNS = CrashPlugin.CONCURRENCY;

    private static final Pattern COUNTS = Pattern.compile("runs=(\\d+) running=(\\d+)");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 180_000)
    public void queue_nodeKilledWhileRunning_everyTaskCompletes() throws Exception {
        long testStart = System.nanoTime();
        Path pluginJar = CrashPluginBundle.build(temp.newFolder("plugin").toPath());
        Map<String, String> memberSettings = Map.of(
                "cp.member.count", "0",
                // The member stops at once on SIGTERM, so the teardown does not wait for partition hand-over.
                "shutdown.graceful", "false");
        try (ProcessCluster cluster = new ProcessCluster(temp.newFolder("nodes").toPath(), FIRST_PORT, 3,
                memberSettings)) {
            try {
                runScenario(cluster, pluginJar, testStart);
            } catch (Throwable failure) {
                cluster.keepLogs(Path.of("target", "crash-logs", "QueueNodeCrashIT"));
                throw failure;
            }
        }
    }

    private void runScenario(ProcessCluster cluster, Path pluginJar, long testStart) throws Exception {
        cluster.start();
        cluster.deploy(pluginJar, CrashPlugin.NAME);
        ProcessNode publisher = cluster.node(0);
        ProcessNode victim = cluster.node(1);
        List<ProcessNode> survivors = List.of(cluster.node(0), cluster.node(2));

        long publishStart = System.nanoTime();
        Set<String> taskIds = publish(publisher);
        eventually(Duration.ofSeconds(30), () -> assertTrue(victim + " recorded no run yet",
                TaskRun.readAll(victim).size() >= 1));

        int runsBeforeKill = TaskRun.readAll(cluster.nodes()).size();
        assertTrue("every task ran before " + victim + " could be killed; nothing was left to recover",
                runsBeforeKill < TASKS);
        long killStart = System.nanoTime();
        assertEquals(victim + " exit status", ProcessNode.SIGKILL_EXIT_STATUS, victim.kill());
        int victimRuns = TaskRun.readAll(victim).size();

        Duration completionWait = COMPLETION_LIMIT.minus(Duration.ofNanos(System.nanoTime() - publishStart));
        eventually(completionWait, () -> {
            Set<String> missing = missing(taskIds, TaskRun.readAll(cluster.nodes()));
            assertTrue(missing.size() + " tasks not recorded by any node, among them " + missing.stream().limit(5)
                    .collect(Collectors.toList()), missing.isEmpty());
        });
        long completedNanos = System.nanoTime();
        awaitQuiet(survivors);

        List<TaskRun> runs = TaskRun.readAll(cluster.nodes());
        Map<String, List<TaskRun>> runsByTask = new TreeMap<>(runs.stream()
                .collect(Collectors.groupingBy(TaskRun::taskId)));
        Map<String, List<TaskRun>> duplicates = new TreeMap<>(runsByTask);
        duplicates.values().removeIf(taskRuns -> taskRuns.size() < 2);
        List<TaskRun> reruns = runs.stream().filter(run -> run.attempt() > 1).collect(Collectors.toList());

        assertEquals("recorded task ids that were never published", Set.of(),
                new TreeSet<>(difference(runsByTask.keySet(), taskIds)));
        assertTrue("at most " + MAX_RERUNS + " tasks (the attempts in flight on " + victim + ") may run twice: "
                + duplicates, duplicates.size() <= MAX_RERUNS);
        assertTrue("at most " + MAX_RERUNS + " runs with attempt > 1 (the attempts in flight on " + victim
                + "): " + reruns, reruns.size() <= MAX_RERUNS);
        assertTrue("no task ran again after " + victim + " was killed; its in-flight tasks were not requeued",
                !reruns.isEmpty());
        for (Map.Entry<String, List<TaskRun>> duplicate : duplicates.entrySet()) {
            List<TaskRun> taskRuns = duplicate.getValue();
            assertEquals("runs of task " + duplicate.getKey() + " with attempt 1: " + taskRuns, 1,
                    taskRuns.stream().filter(run -> run.attempt() == 1).count());
            assertEquals("distinct attempts of task " + duplicate.getKey() + ": " + taskRuns, taskRuns.size(),
                    taskRuns.stream().map(TaskRun::attempt).distinct().count());
            assertTrue("task " + duplicate.getKey() + " ran twice without having run on " + victim + ": "
                    + taskRuns, taskRuns.stream().anyMatch(run -> run.node().equals(victim.name())));
        }

        System.out.printf("Queue crash test: %d tasks on 3 nodes, concurrency %d, %d ms each; %s killed when "
                        + "about %d runs were recorded, %d of them its own; every task recorded %d ms after the "
                        + "kill and %d ms after the publish; %d tasks ran twice, %d runs with attempt > 1; runs "
                        + "per node %s; test took %d ms%n",
                TASKS, CrashPlugin.CONCURRENCY, CrashPlugin.TASK_MILLIS, victim, runsBeforeKill, victimRuns,
                millisBetween(killStart, completedNanos),
                millisBetween(publishStart, completedNanos), duplicates.size(), reruns.size(),
                runsPerNode(runs), millisBetween(testStart, System.nanoTime()));
    }

    private static Set<String> publish(ProcessNode node) throws Exception {
        ClientResult published = node.client("crash:publish", String.valueOf(TASKS));
        assertEquals(published.describe(), 0, published.status());
        Set<String> taskIds = published.stdout().lines()
                .map(String::trim)
                .filter(line -> !line.isEmpty())
                .collect(Collectors.toSet());
        assertEquals("distinct task ids printed by crash:publish", TASKS, taskIds.size());
        return taskIds;
    }

    /**
     * Waits until the survivors run no task and have recorded no new run since the previous poll. A task that the
     * killed node recorded but had not yet completed in the grid runs again on a survivor, and this wait lets that
     * second run reach the count of duplicates.
     */
    private static void awaitQuiet(List<ProcessNode> survivors) {
        long[] previousRuns = {-1};
        eventually(Duration.ofSeconds(30), () -> {
            long runs = 0;
            for (ProcessNode node : survivors) {
                ClientResult counts = node.client("crash:counts");
                assertEquals(counts.describe(), 0, counts.status());
                Matcher matcher = COUNTS.matcher(counts.stdout());
                assertTrue(counts.describe(), matcher.find());
                assertEquals(node + " attempts running", 0, Integer.parseInt(matcher.group(2)));
                runs += Long.parseLong(matcher.group(1));
            }
            long before = previousRuns[0];
            previousRuns[0] = runs;
            assertEquals("runs recorded by the survivors since the previous poll", before, runs);
        });
    }

    private static Set<String> missing(Set<String> taskIds, List<TaskRun> runs) {
        Set<String> missing = new TreeSet<>(taskIds);
        runs.forEach(run -> missing.remove(run.taskId()));
        return missing;
    }

    private static Set<String> difference(Set<String> left, Set<String> right) {
        Set<String> difference = new TreeSet<>(left);
        difference.removeAll(right);
        return difference;
    }

    private static Map<String, Long> runsPerNode(List<TaskRun> runs) {
        return new TreeMap<>(runs.stream().collect(Collectors.groupingBy(TaskRun::node, Collectors.counting())));
    }

    private static long millisBetween(long startNanos, long endNanos) {
        return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
    }
}
