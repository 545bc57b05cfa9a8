package io.cohort.itests.crash;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.cohort.itests.crash.ProcessNode.ClientResult;

/**
 * Runs a cluster of Cohort nodes as OS processes, each from its own copy of the built distribution folder
 * ({@code runtime/target/cohort}), so that a test can kill one with SIGKILL.
 *
 * <p>Every node gets {@code etc/io.cohort.hazelcast.cfg} with a cluster name unique to this cluster, its own member
 * port from {@code firstPort} on 127.0.0.1, the list of all the cluster's ports as members, and the member settings
 * that the test passes; and {@code etc/io.cohort.core.cfg} that selects the {@code hazelcast} adapter for every
 * manager. Nodes start one after another, because parallel starts are slower on two cores. {@link #close()} stops
 * every node still running and checks that no process of the cluster is left.
 */
final class ProcessCluster implements AutoCloseable {

    /** The crash tests' member ports are 127.0.0.1:{@value #PORT_RANGE_FIRST}-{@value #PORT_RANGE_LAST}. */
    static final int PORT_RANGE_FIRST = 5971;
    static final int PORT_RANGE_LAST = 5990;

    /** The sample scenario tests' member ports are 127.0.0.1:6001-6010; the demo script's test uses 6011-6030. */
    static final int SAMPLES_PORT_RANGE_FIRST = 6001;
    static final int SAMPLES_PORT_RANGE_LAST = 6010;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    private final Path root;
    private final String clusterName;
    private final List<ProcessNode> nodes = new ArrayList<>();
    private final Map<String, String> memberSettings;
    private final Map<String, Map<String, String>> extraConfigs = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(() -> nodes.forEach(ProcessNode::killIfAlive),
            "crash-cluster-kill");

    /**
     * Prepares {@code size} nodes named {@code a}, {@code b}, ... in {@code root}; nothing starts before
     * {@link #start()}.
     *
     * @param memberSettings settings of PID {@code io.cohort.hazelcast} besides the cluster name, port and members
     */
    ProcessCluster(Path root, int firstPort, int size, Map<String, String> memberSettings) {
        int lastPort = firstPort + size - 1;
        boolean crashRange = firstPort >= PORT_RANGE_FIRST && lastPort <= PORT_RANGE_LAST;
        boolean samplesRange = firstPort >= SAMPLES_PORT_RANGE_FIRST && lastPort <= SAMPLES_PORT_RANGE_LAST;
        if (!crashRange && !samplesRange) {
            throw new IllegalArgumentException("ports " + firstPort + "-" + lastPort + " are outside the process "
                    + "tests' ranges " + PORT_RANGE_FIRST + "-" + PORT_RANGE_LAST + " and " + SAMPLES_PORT_RANGE_FIRST
                    + "-" + SAMPLES_PORT_RANGE_LAST);
        }
        this.root = root;
        this.clusterName = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        this.memberSettings = new LinkedHashMap<>(memberSettings);
        for (int i = 0; i < size; i++) {
            String name = String.valueOf((char) ('a' + i));
            nodes.add(new ProcessNode(name, root.resolve(name), firstPort + i));
        }
    }

    /** Returns the Hazelcast cluster name of the nodes, unique to this cluster. */
    String name() {
        return clusterName;
    }

    ProcessNode node(int index) {
        return nodes.get(index);
    }

    List<ProcessNode> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * Writes {@code etc/<pid>.cfg} with {@code settings} into every node's home when the cluster starts, replacing the
     * file of the distribution. The member and node files ({@code io.cohort.hazelcast}, {@code io.cohort.core}) are
     * the harness's own and cannot be replaced.
     */
    void configure(String pid, Map<String, String> settings) {
        if (pid.equals("io.cohort.hazelcast") || pid.equals("io.cohort.core")) {
            throw new IllegalArgumentException("PID " + pid + " is written by the harness; pass member settings to "
                    + "the constructor instead");
        }
        extraConfigs.put(pid, new LinkedHashMap<>(settings));
    }

    /** Copies every node's log folder under {@code target}, so a failed run can be read after the test removes it. */
    void keepLogs(Path target) {
        for (ProcessNode node : nodes) {
            try {
                copyTree(node.home().resolve("log"), target.resolve(node.name()));
                Path runs = node.home().resolve("data").resolve("crash");
                if (Files.isDirectory(runs)) {
                    copyTree(runs, target.resolve(node.name()).resolve("crash"));
                }
            } catch (IOException | RuntimeException e) {
                System.out.printf("Could not keep the logs of %s: %s%n", node, e);
            }
        }
        System.out.printf("Crash cluster %s: node logs kept in %s%n", clusterName, target.toAbsolutePath());
    }

    /**
     * Lays out and starts every node, one after another: each must respond to {@code cohort:info} and list every node
     * started so far as a Hazelcast member before the next one starts.
     */
    void start() throws IOException, InterruptedException {
        for (ProcessNode node : nodes) {
            requireFreePort(node.port());
        }
        Path distribution = builtDistribution();
        requireHazelcastBundles(distribution);
        for (ProcessNode node : nodes) {
            layOut(distribution, node);
        }
        addShutdownHook();
        long begin = System.nanoTime();
        for (int i = 0; i < nodes.size(); i++) {
            ProcessNode node = nodes.get(i);
            int expectedSize = i + 1;
            node.start();
            eventually(START_TIMEOUT, () -> {
                assertTrue(node + " has no command socket yet", node.hasCommandSocket());
                ClientResult info = node.client("cohort:info");
                assertEquals(info.describe(), 0, info.status());
                assertEquals(node + " cluster size", expectedSize, node.clusterSize(clusterName));
            });
        }
        for (ProcessNode node : nodes) {
            assertEquals(node + " cluster size", nodes.size(), node.clusterSize(clusterName));
        }
        System.out.printf("Crash cluster %s: %d nodes started one after another and joined in %d ms%n", clusterName,
                nodes.size(), Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    /** Deploys {@code jar} on every node and waits until each lists {@code plugin} as LOADED. */
    void deploy(Path jar, String plugin) throws IOException {
        for (ProcessNode node : nodes) {
            node.deploy(jar);
        }
        Pattern loaded = Pattern.compile("(?m)^" + Pattern.quote(plugin) + "\\s.*\\bLOADED\\b");
        for (ProcessNode node : nodes) {
            eventually(DEPLOY_TIMEOUT, () -> {
                ClientResult plugins = node.client("cohort:plugins");
                assertEquals(plugins.describe(), 0, plugins.status());
                assertTrue(plugins.describe(), loaded.matcher(plugins.stdout()).find());
            });
        }
    }

    /**
     * Sends SIGTERM to every node still running, all at once, and waits for them; kills the ones that do not stop
     * in time. Then checks that no process whose command line names this cluster's folder is left.
     *
     * <p>Stopping all nodes at once matters for Raft: stopped one by one, the last CP members can wait in Raft
     * retries for a majority that is gone.
     */
    @Override
    public void close() throws InterruptedException {
        List<ProcessNode> running = nodes.stream().filter(ProcessNode::isAlive).collect(Collectors.toList());
        long start = System.nanoTime();
        List<String> forced = new ArrayList<>();
        try {
            running.forEach(ProcessNode::terminate);
            for (ProcessNode node : running) {
                long remaining = STOP_TIMEOUT.toNanos() - (System.nanoTime() - start);
                if (!node.awaitExit(Duration.ofNanos(Math.max(0, remaining)))) {
                    forced.add(node.name());
                }
            }
        } finally {
            // Also reached when the test's timeout interrupted this thread: every node gets SIGKILL first, and
            // only then does anything wait.
            nodes.forEach(ProcessNode::killIfAlive);
            removeShutdownHook();
        }
        System.out.printf("Crash cluster %s: %d running nodes stopped after SIGTERM in %d ms%s%n", clusterName,
                running.size(), Duration.ofNanos(System.nanoTime() - start).toMillis(),
                forced.isEmpty() ? "" : "; killed " + forced + ", which did not stop within "
                        + STOP_TIMEOUT.toSeconds() + " s");

        for (ProcessNode node : nodes) {
            assertTrue(node + " still runs 10 s after SIGKILL", node.awaitExit(Duration.ofSeconds(10)));
        }
        List<ProcessHandle> leftOver = processesOfThisCluster();
        leftOver.forEach(ProcessHandle::destroyForcibly);
        assertEquals("processes of " + root + " left after the cluster stopped", List.of(),
                leftOver.stream().map(ProcessCluster::describe).collect(Collectors.toList()));
    }

    /** Kills the nodes if the test JVM exits while they run, for example after a failsafe timeout. */
    private void addShutdownHook() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is exiting and runs the hook itself.
        }
    }

    /** Returns the built distribution folder: {@code runtime/target/cohort} under the repository root. */
    private static Path builtDistribution() {
        Path repository = Path.of(System.getProperty("cohort.it.root", "..")).toAbsolutePath().normalize();
        Path distribution = repository.resolve("runtime/target/cohort");
        assertTrue("the distribution folder " + distribution + " is missing; build it with mvn install first",
                Files.isRegularFile(distribution.resolve("bin/cohort")));
        return distribution;
    }

    private void layOut(Path distribution, ProcessNode node) throws IOException {
        copyTree(distribution, node.home());
        Path etc = node.home().resolve("etc");

        Map<String, String> member = new LinkedHashMap<>();
        member.put("cluster.name", clusterName);
        member.put("port", String.valueOf(node.port()));
        member.put("port.count", "1");
        member.put("members", "127.0.0.1:" + nodes.get(0).port() + "-" + nodes.get(nodes.size() - 1).port());
        member.putAll(memberSettings);
        writeConfig(etc.resolve("io.cohort.hazelcast.cfg"), member);

        Map<String, String> core = new LinkedHashMap<>();
        core.put("app.name", "crash");
        core.put("node.id", node.name());
        core.put("cache.store", "hazelcast");
        core.put("pubsub.adapter", "hazelcast");
        core.put("queue.adapter", "hazelcast");
        core.put("lock.adapter", "hazelcast");
        // Tasks take 200 ms, so 2 s is plenty for a stopping consumer, and the teardown does not wait 10 s.
        core.put("queue.shutdown.timeout.ms", "2000");
        writeConfig(etc.resolve("io.cohort.core.cfg"), core);
        for (Map.Entry<String, Map<String, String>> extra : extraConfigs.entrySet()) {
            writeConfig(etc.resolve(extra.getKey() + ".cfg"), extra.getValue());
        }
    }

    /** Fails unless the distribution ships Hazelcast and the Cohort Hazelcast adapters in {@code system/}. */
    private static void requireHazelcastBundles(Path distribution) throws IOException {
        Path system = distribution.resolve("system");
        for (String prefix : List.of("hazelcast-", "cohort-hazelcast-")) {
            assertTrue("no " + prefix + "*.jar under " + system + "; the crash tests need the Hazelcast adapters in "
                    + "the distribution", containsJar(system, prefix));
        }
    }

    private static boolean containsJar(Path system, String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(system)) {
            return files.anyMatch(file -> file.getFileName().toString().startsWith(prefix)
                    && file.getFileName().toString().endsWith(".jar"));
        }
    }

    static void writeConfig(Path file, Map<String, String> settings) throws IOException {
        StringBuilder text = new StringBuilder("# Written by the crash test harness.\n");
        settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Fails with a clear message when another process listens on a port of this cluster. */
    private static void requireFreePort(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " on 127.0.0.1 is in use (" + e.getMessage() + "); the process "
                    + "tests need ports " + PORT_RANGE_FIRST + "-" + PORT_RANGE_LAST + " and "
                    + SAMPLES_PORT_RANGE_FIRST + "-" + SAMPLES_PORT_RANGE_LAST + " free", e);
        }
    }

    private List<ProcessHandle> processesOfThisCluster() {
        String folder = root.toString();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info().commandLine().map(line -> line.contains(folder)).orElse(false))
                .collect(Collectors.toList());
    }

    private static String describe(ProcessHandle process) {
        return process.pid() + " " + process.info().commandLine().orElse("?");
    }

    /** Copies the distribution, leaving out what a node run in the build folder may have left there. */
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
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean isRuntimeFolder(String name) {
        return name.equals("data") || name.equals("log") || name.equals("deploy");
    }
}
