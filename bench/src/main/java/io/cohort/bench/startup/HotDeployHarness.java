package io.cohort.bench.startup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures hot deploy on a running node process: how long a plugin jar copied into {@code deploy/} takes to be
 * {@code LOADED}, and how long its deletion takes to unload it, beside FileInstall's poll interval.
 *
 * <p>The node runs {@code bin/cohort run --no-console} from a copy of the distribution folder, as a one-member
 * cluster on 127.0.0.1 with its member {@value #PORT_OFFSET} above the start-up group's member port
 * ({@link StartupHarness#PORT_PROPERTY}), so on 6101 by default. Its database URL is the distribution's minus
 * {@code AUTO_SERVER=TRUE} (one process opens it, so no TCP listener is needed). Each round waits a random time
 * shorter than one poll interval, so the copies land at every phase of FileInstall's polling. It then copies
 * {@code examples/sample-starter-*.jar} into {@code deploy/} and waits for the line
 * {@code Plugin starter loaded from bundle ... [ID] ... in N ms} that the plugin runtime logs. After another random
 * wait it deletes the jar, waits for the matching {@code unloaded} line, and waits until the framework has dropped
 * the bundle's cache folder, so that no refresh of this round overlaps the next.
 *
 * <p>Times come from the node's own clock readings, so the harness's polling of the log adds nothing: the log line's
 * timestamp (milliseconds), the bundle's install time that Felix keeps in {@code felix-cache/bundleID/bundle.info},
 * and the hook time the log line states. The harness reads the end of the log file every
 * {@value #POLL_MILLIS} ms, which costs no JVM start, unlike {@code bin/cohort client}.
 */
public final class HotDeployHarness {

    /** How far above the start-up group's member port the node's member listens, its only TCP listener. */
    static final int PORT_OFFSET = 40;

    /** Name of the sample plugin, and the start of its jar's name in {@code examples/}. */
    static final String PLUGIN = "starter";
    static final String PLUGIN_JAR_PREFIX = "sample-starter-";

    /** FileInstall's poll interval when {@code etc/cohort.properties} does not set one (its own default). */
    static final long DEFAULT_POLL_MILLIS = 2_000;

    private static final long POLL_MILLIS = 5;
    private static final long SETTLE_MILLIS = 2_000;
    private static final long WAIT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final Logger LOG = LoggerFactory.getLogger(HotDeployHarness.class);

    /** {@code <timestamp> INFO [thread] io.cohort.core.plugin.PluginLifecycle - Plugin starter loaded ...}. */
    static final Pattern LOADED = Pattern.compile("^(\\S+)\\s+INFO\\s+\\[[^\\]]*\\] "
            + "io\\.cohort\\.core\\.plugin\\.PluginLifecycle - Plugin " + PLUGIN
            + " loaded from bundle \\S+ \\[(\\d+)\\] version \\S+ in (\\d+) ms");

    /** The matching {@code unloaded} line; the caller checks that its bundle id is the loaded one. */
    static final Pattern UNLOADED = Pattern.compile("^(\\S+)\\s+INFO\\s+\\[[^\\]]*\\] "
            + "io\\.cohort\\.core\\.plugin\\.PluginLifecycle - Plugin " + PLUGIN
            + " unloaded from bundle \\S+ \\[(\\d+)\\] version \\S+ in (\\d+) ms because");

    /**
     * The figures of one deploy and removal, in milliseconds.
     *
     * @param round the round, from 0; round 0 is the node's first plugin load since its start
     * @param loadMillis from the end of the copy until the {@code loaded} line's timestamp
     * @param installMillis from the end of the copy until Felix installed the bundle; -1 if unknown
     * @param startMillis from the install until the first hook began: resolve, start, the plugin's components,
     *     the runtime's queue; -1 if unknown
     * @param hookMillis the {@code beforeLoad} and {@code load} hooks, as the log line states
     * @param seenMillis from the end of the copy until this harness read the line, a check on the others
     * @param unloadMillis from the deletion until the {@code unloaded} line's timestamp
     * @param unloadHookMillis the {@code unload} hook, as the line states
     */
    public record Deploy(int round, long loadMillis, long installMillis, long startMillis, long hookMillis,
            long seenMillis, long unloadMillis, long unloadHookMillis) {
    }

    /**
     * Every deploy of one run.
     *
     * @param pollMillis FileInstall's poll interval of the node ({@code felix.fileinstall.poll})
     * @param plugin the file name of the deployed jar
     * @param deploys every round, in order
     */
    public record Result(long pollMillis, String plugin, List<Deploy> deploys) {
    }

    private HotDeployHarness() {
    }

    /**
     * Starts a node from a copy of {@code distribution} in {@code workDir}, deploys and removes the sample plugin
     * {@code rounds} times, and stops the node.
     *
     * @throws IllegalArgumentException if {@code distribution} has no {@code bin/cohort} or no sample-starter jar
     * @throws IllegalStateException if the node ends or a wait times out
     */
    public static Result run(Path distribution, Path workDir, int rounds) throws IOException, InterruptedException {
        if (!Files.isExecutable(distribution.resolve("bin/cohort"))) {
            throw new IllegalArgumentException("no Cohort distribution at " + distribution + "; build it with "
                    + "mvn -pl runtime/distribution -am package -DskipTests");
        }
        Path home = workDir.resolve("hotdeploy-home");
        StartupHarness.copyHome(distribution, home);
        configure(home);
        long pollMillis = pollMillis(home.resolve("etc/cohort.properties"));
        Path jar = StartupHarness.findJar(home.resolve("examples"), PLUGIN_JAR_PREFIX);
        Path deployed = home.resolve("deploy").resolve(jar.getFileName());

        Files.createDirectories(home.resolve("log"));
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/cohort").toString(), "run", "--no-console")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("log/stdout.log").toFile()))
                .redirectErrorStream(true);
        builder.environment().remove("JAVA_OPTS");
        long begin = System.nanoTime();
        Process process = builder.start();
        try {
            StartupHarness.awaitCommand(process, home.resolve("data/run/cohort.sock"), "cohort:plugins", begin);
            LOG.info("Hot deploy node (pid {}) ready after {} ms; {} rounds with {}, poll interval {} ms",
                    process.pid(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), rounds,
                    jar.getFileName(), pollMillis);
            LogTail log = new LogTail(home.resolve("log/cohort.log"));
            Thread.sleep(SETTLE_MILLIS);
            List<Deploy> deploys = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                Thread.sleep(ThreadLocalRandom.current().nextLong(pollMillis));
                Deploy deploy = deployOnce(round, process, log, home, jar, deployed, pollMillis);
                LOG.info("Hot deploy round {}: {}", round, deploy);
                deploys.add(deploy);
            }
            return new Result(pollMillis, jar.getFileName().toString(), deploys);
        } finally {
            StartupHarness.ensureStopped(process);
        }
    }

    private static Deploy deployOnce(int round, Process process, LogTail log, Path home, Path jar, Path deployed,
            long pollMillis) throws IOException, InterruptedException {
        Files.copy(jar, deployed);
        long copied = System.currentTimeMillis();
        Matcher loaded = log.await(LOADED, process, "plugin " + PLUGIN + " loaded");
        long seen = System.currentTimeMillis();
        long loadedAt = epochMillis(loaded.group(1));
        String bundleId = loaded.group(2);
        long hookMillis = Long.parseLong(loaded.group(3));
        long installMillis = installedAt(home.resolve("data/felix-cache/bundle" + bundleId + "/bundle.info"))
                .map(installed -> installed - copied).orElse(-1L);
        long loadMillis = loadedAt - copied;
        long startMillis = installMillis < 0 ? -1 : loadMillis - installMillis - hookMillis;

        // The load ended a fixed time after a scan, so a deletion right now would always land at the same phase.
        Thread.sleep(ThreadLocalRandom.current().nextLong(pollMillis));
        Files.delete(deployed);
        long deleted = System.currentTimeMillis();
        Matcher unloaded = log.await(UNLOADED, process, "plugin " + PLUGIN + " unloaded");
        if (!unloaded.group(2).equals(bundleId)) {
            throw new IllegalStateException("plugin " + PLUGIN + " unloaded from bundle " + unloaded.group(2)
                    + ", expected bundle " + bundleId + " of round " + round);
        }
        long unloadMillis = epochMillis(unloaded.group(1)) - deleted;
        awaitGone(process, home.resolve("data/felix-cache/bundle" + bundleId));
        return new Deploy(round, loadMillis, installMillis, startMillis, hookMillis, seen - copied, unloadMillis,
                Long.parseLong(unloaded.group(3)));
    }

    /** Points the node's member at its port alone and drops auto-server mode from its database URL. */
    private static void configure(Path home) throws IOException {
        int port = StartupHarness.memberPort() + PORT_OFFSET;
        Path memberConfig = home.resolve("etc/io.cohort.hazelcast.cfg");
        Files.writeString(memberConfig, Files.readString(memberConfig)
                .replaceAll("(?m)^cluster\\.name=.*$", "cluster.name=cohort-hotdeploy-" + ProcessHandle.current().pid())
                .replaceAll("(?m)^port=.*$", "port=" + port)
                .replaceAll("(?m)^port\\.count=.*$", "port.count=1")
                .replaceAll("(?m)^members=.*$", "members=127.0.0.1:" + port));
        Path databaseConfig = home.resolve("etc/io.cohort.jdbc.cfg");
        Files.writeString(databaseConfig, Files.readString(databaseConfig)
                .replaceAll("(?m)^(url=.*);AUTO_SERVER=TRUE(.*)$", "$1$2"));
    }

    /** Returns {@code felix.fileinstall.poll} of a node's framework properties, or FileInstall's default. */
    static long pollMillis(Path frameworkProperties) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(frameworkProperties)) {
            properties.load(in);
        }
        String poll = properties.getProperty("felix.fileinstall.poll");
        return poll == null ? DEFAULT_POLL_MILLIS : Long.parseLong(poll.trim());
    }

    /** Returns the epoch milliseconds of a log timestamp such as {@code 2026-12-04T22:01:33.667Z}. */
    static long epochMillis(String timestamp) {
        return OffsetDateTime.parse(timestamp).toInstant().toEpochMilli();
    }

    /**
     * Returns the install time that Felix 7 keeps in a bundle's {@code bundle.info}: the fifth line, after the id,
     * location, state and start level. Empty if the file is gone or has another layout.
     */
    static Optional<Long> installedAt(Path bundleInfo) {
        try {
            List<String> lines = Files.readAllLines(bundleInfo);
            return lines.size() < 5 ? Optional.empty() : Optional.of(Long.parseLong(lines.get(4).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void awaitGone(Process process, Path bundleFolder) throws InterruptedException {
        long begin = System.nanoTime();
        while (Files.exists(bundleFolder)) {
            StartupHarness.checkWaiting(process, begin, "the framework removing " + bundleFolder, bundleFolder);
            if (System.nanoTime() - begin > WAIT_TIMEOUT_NANOS) {
                LOG.warn("{} still exists {} s after its plugin unloaded; the next round starts anyway", bundleFolder,
                        TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NANOS));
                return;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Reads the lines appended to a log file since this tail was created. */
    static final class LogTail {

        private final Path file;
        private final StringBuilder partial = new StringBuilder();
        private long offset;

        LogTail(Path file) throws IOException {
            this.file = file;
            this.offset = Files.exists(file) ? Files.size(file) : 0;
        }

        /** Returns the complete lines written since the last call. */
        List<String> newLines() throws IOException {
            List<String> lines = new ArrayList<>();
            if (!Files.exists(file) || Files.size(file) <= offset) {
                return lines;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size() - offset, 1 << 20));
                offset += channel.read(buffer, offset);
                partial.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
            }
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
                lines.add(partial.substring(0, end));
                partial.delete(0, end + 1);
            }
            return lines;
        }

        /** Waits for a new line that matches {@code pattern} and returns its match. */
        Matcher await(Pattern pattern, Process process, String what) throws IOException, InterruptedException {
            long begin = System.nanoTime();
            while (true) {
                for (String line : newLines()) {
                    Matcher matcher = pattern.matcher(line);
                    if (matcher.find()) {
                        return matcher;
                    }
                }
                StartupHarness.checkWaiting(process, begin, what, file);
                if (System.nanoTime() - begin > WAIT_TIMEOUT_NANOS) {
                    throw new IllegalStateException("timed out after "
                            + TimeUnit.NANOSECONDS.toSeconds(WAIT_TIMEOUT_NANOS) + " s waiting for " + what + " in "
                            + file);
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }
}
