package io.cohort.itests.crash;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Cohort node running as an OS process from its own copy of the distribution folder (its home, with its own
 * {@code etc/}, {@code data/} and {@code log/}).
 *
 * <p>The process is {@code bin/cohort} started through {@code bash -c 'exec "$0" <&-'}, so the node runs with stdin
 * closed. Both bash and the script replace themselves with {@code exec}, so the process's pid is the node JVM's pid
 * and {@link #kill()} sends SIGKILL to the JVM itself.
 */
final class ProcessNode {

    /** The node closes a client request after 30 s, so a client that runs longer than this has hung. */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);

    /** Exit status of a process that SIGKILL (signal 9) ended: 128 + 9. */
    static final int SIGKILL_EXIT_STATUS = 137;

    /**
     * JVM options of each node: a bounded heap, and the serial collector, which runs no background GC threads that
     * would compete with the other nodes and the test for two cores.
     */
    private static final String JAVA_OPTS = "-Xms64m -Xmx512m -XX:+UseSerialGC";

    /** Hazelcast's member list in the log: {@code Members {size:3, ver:3} [...]}. */
    private static final Pattern MEMBERS_LINE = Pattern.compile("Members \\{size:(\\d+)");

    /** The summary line of {@code cohort:members}: {@code Cluster <name>: <size> members, ...}. */
    private static final Pattern MEMBERS_SUMMARY = Pattern.compile("Cluster (\\S+): (\\d+) members?");

    private final String name;
    private final Path home;
    private final int port;
    private Process process;

    /**
     * @param name the node's name, also its {@code node.id}
     * @param home the node's own copy of the distribution folder
     * @param port the Hazelcast member port of this node
     */
    ProcessNode(String name, Path home, int port) {
        this.name = name;
        this.home = home;
        this.port = port;
    }

    String name() {
        return name;
    }

    Path home() {
        return home;
    }

    int port() {
        return port;
    }

    /** Returns the node's data directory, which the node passes to bundles as {@code cohort.data}. */
    Path dataDir() {
        return home.resolve("data");
    }

    /**
     * Starts the node process, again after an earlier process of this node has ended; it appends its console output
     * to {@code output.txt} in the home.
     */
    void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(this + " is already running");
        }
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", "-c", "exec \"$0\" <&-",
                home.resolve("bin/cohort").toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output().toFile()))
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", JAVA_OPTS);
        process = builder.start();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return requireStarted().pid();
    }

    /** Sends SIGKILL to the node and waits until the process is gone; returns its exit status. */
    int kill() throws InterruptedException {
        Process node = requireStarted();
        node.toHandle().destroyForcibly();
        if (!node.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("node " + name + " (pid " + node.pid() + ") still runs 30 s after SIGKILL");
        }
        return node.exitValue();
    }

    /** Sends SIGTERM, which makes the node stop its framework and exit. */
    void terminate() {
        if (isAlive()) {
            process.destroy();
        }
    }

    /** Waits until the process has ended; returns whether it did within {@code timeout}. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process == null || process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends SIGKILL if the process still runs, without waiting for it to end. */
    void killIfAlive() {
        if (isAlive()) {
            process.toHandle().destroyForcibly();
        }
    }

    /** Returns whether the command socket exists, which the node creates once its shell bundle is active. */
    boolean hasCommandSocket() {
        return Files.exists(dataDir().resolve("run/cohort.sock"));
    }

    /**
     * Runs {@code bin/cohort client COMMAND...} against this node, after checking that the node still runs so that
     * a dead node fails a wait at once.
     */
    ClientResult client(String... command) throws IOException, InterruptedException {
        if (!isAlive()) {
            throw new AssertionError("node " + name + " is not running"
                    + (process == null ? "" : "; exit status " + process.exitValue()) + "\n" + describeOutput());
        }

        List<String> commandLine = new ArrayList<>(List.of(home.resolve("bin/cohort").toString(), "client"));
        commandLine.addAll(List.of(command));
        Path out = Files.createTempFile(home, "client-", ".out");
        Path err = Files.createTempFile(home, "client-", ".err");
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process client = builder.start();
        try {
            if (!client.waitFor(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("node " + name + ": " + String.join(" ", command) + " did not finish within "
                        + CLIENT_TIMEOUT.toSeconds() + " s");
            }
            return new ClientResult(name + ": " + String.join(" ", command), client.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            client.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Returns the number of members that this node's Hazelcast member lists in cluster {@code clusterName}: from
     * {@code cohort:members} when the node has that command, else from the latest member list in its log.
     *
     * @throws AssertionError if {@code cohort:members} failed, or named another cluster
     */
    int clusterSize(String clusterName) throws IOException, InterruptedException {
        ClientResult members = client("cohort:members");
        if (members.status() != 0 && members.stderr().contains("Command not found")) {
            return loggedClusterSize().orElse(0);
        }
        if (members.status() != 0) {
            throw new AssertionError(members.describe());
        }
        Matcher summary = MEMBERS_SUMMARY.matcher(members.stdout());
        if (!summary.find()) {
            throw new AssertionError("no summary line in the output\n" + members.describe());
        }
        if (!summary.group(1).equals(clusterName)) {
            throw new AssertionError(this + " is in cluster " + summary.group(1) + ", not " + clusterName);
        }
        return Integer.parseInt(summary.group(2));
    }

    /**
     * Returns the size of the latest Hazelcast member list in the node's log ({@code Members {size:N}}), or empty
     * before the member has started.
     */
    OptionalInt loggedClusterSize() throws IOException {
        Matcher matcher = MEMBERS_LINE.matcher(log());
        OptionalInt size = OptionalInt.empty();
        while (matcher.find()) {
            size = OptionalInt.of(Integer.parseInt(matcher.group(1)));
        }
        return size;
    }

    /** Returns {@code log/cohort.log}, or an empty string before the node has created it. */
    String log() throws IOException {
        Path log = home.resolve("log/cohort.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /**
     * Copies {@code jar} into {@code deploy/} through a temporary file in the home and an atomic move, so the node
     * never reads a partly written jar.
     */
    void deploy(Path jar) throws IOException {
        Path staged = Files.createTempFile(home, "deploy-", ".tmp");
        Files.copy(jar, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, home.resolve("deploy").resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Returns the last lines of the node's console output, for failure messages. */
    String describeOutput() {
        try {
            List<String> lines = Files.exists(output()) ? Files.readAllLines(output(), StandardCharsets.UTF_8)
                    : List.of();
            int from = Math.max(0, lines.size() - 40);
            return "--- last " + (lines.size() - from) + " lines of node " + name + " output ---\n"
                    + String.join("\n", lines.subList(from, lines.size()));
        } catch (IOException e) {
            return "--- output of node " + name + " unreadable: " + e;
        }
    }

    @Override
    public String toString() {
        return "node " + name + (process == null ? "" : " (pid " + process.pid() + ")");
    }

    private Path output() {
        return home.resolve("output.txt");
    }

    private Process requireStarted() {
        if (process == null) {
            throw new IllegalStateException("node " + name + " was not started");
        }
        return process;
    }

    /** The outcome of one {@code bin/cohort client} run. */
    record ClientResult(String command, int status, String stdout, String stderr) {

        String describe() {
            return command + " exited with " + status + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }
}
