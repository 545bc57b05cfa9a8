package io.cohort.bench.startup;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how long a node process takes from its start until it is ready, and its heap and threads once idle: a
 * Cohort node from the distribution folder beside a bare Felix framework that starts only Hazelcast
 * ({@link BareFelixMain}).
 *
 * <p>A Cohort node is ready when its command socket runs {@code cohort:members} and {@code cohort:info} with exit
 * status 0: the Hazelcast member, the node component, the managers' admin view and the shell are then up. The bare
 * node is ready when it prints {@value BareFelixMain#READY_LINE}, after its member started. Both run with the JVM
 * flags of {@code bin/cohort} and the JVM's default heap settings, one process at a time, each a one-member cluster on
 * 127.0.0.1: Cohort on the port of the system property {@value #PORT_PROPERTY} (default {@value #DEFAULT_PORT}), the
 * bare node on that port + {@value #BARE_PORT_OFFSET}. Idle figures are read {@value #IDLE_SECONDS} s after ready,
 * {@value #AFTER_GC_SECONDS} s after a full GC: heap used, live threads of the process (JVM threads included) and
 * resident memory. Every process is stopped by its pid with SIGTERM, and killed if it is still running
 * {@value #STOP_WAIT_SECONDS} s later.
 */
public final class StartupHarness {

    /** System property with the member port of the Cohort node; the bare node takes the port 10 above it. */
    static final String PORT_PROPERTY = "cohort.bench.startup.port";
    static final int DEFAULT_PORT = 6061;
    static final int BARE_PORT_OFFSET = 10;
    /** Seconds from ready until the idle figures are read. */
    public static final int IDLE_SECONDS = 3;
    /** Seconds from the full GC until the idle figures are read. */
    public static final int AFTER_GC_SECONDS = 1;
    static final int STOP_WAIT_SECONDS = 40;
    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final long POLL_MILLIS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(StartupHarness.class);
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
    private static final Pattern STATUS_FIELD = Pattern.compile("^(\\w+):\\s+(\\d+)");
    private static final Pattern JVM_FLAGS = Pattern.compile("readonly COHORT_JVM_FLAGS=\"([^\"]*)\"");

    private final Path distribution;
    private final Path workDir;
    private final List<String> jvmFlags;
    private final int cohortPort = memberPort();
    private final int barePort = cohortPort + BARE_PORT_OFFSET;
    private final String cluster = "cohort-startup-" + ProcessHandle.current().pid();

    /**
     * The figures of one start of one system.
     *
     * @param system {@code cohort} or {@code bareFelix}
     * @param readyMillis from the process start until ready, as seen by this harness
     * @param heapUsedKiB heap in use after a full GC, once idle
     * @param threads live threads of the process, once idle
     * @param rssKiB resident memory of the process, once idle
     * @param stopMillis from SIGTERM until the process ended
     */
    public record Start(String system, long readyMillis, long heapUsedKiB, long threads, long rssKiB,
            long stopMillis) {
    }

    private StartupHarness(Path distribution, Path workDir) throws IOException {
        this.distribution = distribution;
        this.workDir = workDir;
        Matcher flags = JVM_FLAGS.matcher(Files.readString(distribution.resolve("bin/cohort")));
        this.jvmFlags = flags.find() ? List.of(flags.group(1).trim().split("\\s+")) : List.of();
    }

    /**
     * Starts each system once per round, each round beginning with the next system, and returns every start. The
     * systems: {@code cohort}, the first start of a copy of the distribution folder, which maps the classes from the
     * class archive that the build recorded in its {@code cache/}; {@code bareFelix}; and {@code cohortNoArchive}, a
     * node without any class archive, as at the first start of a home that has none (one laid out for another JDK
     * than the one that built it, or copied without its files' times), in the first {@code noArchiveRounds} rounds
     * only.
     *
     * @param distribution the Cohort distribution folder, {@code runtime/target/cohort}
     * @param workDir where the copies of the node folders go
     * @throws IllegalStateException if the distribution folder has no class archive
     */
    public static List<Start> run(Path distribution, Path workDir, int rounds, int noArchiveRounds)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(distribution.resolve("bin/cohort"))) {
            throw new IllegalArgumentException("no Cohort distribution at " + distribution + "; build it with "
                    + "mvn -pl runtime/distribution -am package -DskipTests");
        }
        requireClassArchive(distribution.resolve("cache"));
        StartupHarness harness = new StartupHarness(distribution, workDir);
        Path cohortHome = harness.cohortHome("cohort-home");
        Path noArchiveHome = harness.cohortHome("cohort-no-archive-home");
        Path bareHome = harness.bareHome();
        List<Start> starts = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (int turn = 0; turn < 3; turn++) {
                switch ((round + turn) % 3) {
                    case 0 -> starts.add(harness.startCohort(cohortHome, "cohort", true));
                    case 1 -> {
                        if (round < noArchiveRounds) {
                            starts.add(harness.startCohort(noArchiveHome, "cohortNoArchive", false));
                        }
                    }
                    default -> starts.add(harness.startBare(bareHome));
                }
            }
        }
        return starts;
    }

    /**
     * Checks that {@code cache} has a class archive that {@code bin/cohort} maps: a {@code .jsa} file with its
     * {@code .complete} file.
     *
     * @throws IllegalStateException if it does not
     */
    private static void requireClassArchive(Path cache) throws IOException {
        boolean complete = false;
        if (Files.isDirectory(cache)) {
            try (Stream<Path> files = Files.list(cache)) {
                complete = files.map(file -> file.getFileName().toString())
                        .filter(name -> name.endsWith(".jsa"))
                        .anyMatch(name -> Files.exists(cache.resolve(name.replace(".jsa", ".complete"))));
            }
        }
        if (!complete) {
            throw new IllegalStateException("no class archive in " + cache + "; the build records it unless "
                    + "-Dcohort.class.archive.skip=true is set, and prints a warning when it cannot");
        }
    }

    /** Copies the distribution to {@code folder} and points its member at {@link #cohortPort} alone. */
    private Path cohortHome(String folder) throws IOException {
        Path home = workDir.resolve(folder);
        copyHome(distribution, home);
        Path memberConfig = home.resolve("etc/io.cohort.hazelcast.cfg");
        String config = Files.readString(memberConfig)
                .replaceAll("(?m)^cluster\\.name=.*$", "cluster.name=" + cluster)
                .replaceAll("(?m)^port=.*$", "port=" + cohortPort)
                .replaceAll("(?m)^port\\.count=.*$", "port.count=1")
                .replaceAll("(?m)^members=.*$", "members=127.0.0.1:" + cohortPort);
        Files.writeString(memberConfig, config);
        return home;
    }

    /** Lays out the bare node: the Felix jar of the distribution, Hazelcast and the activator bundle. */
    private Path bareHome() throws IOException {
        Path home = workDir.resolve("bare-home");
        Path bundles = Files.createDirectories(home.resolve("bundles"));
        Path lib = Files.createDirectories(home.resolve("lib"));
        Files.copy(findJar(distribution.resolve("lib"), "org.apache.felix.framework"),
                lib.resolve("felix.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(findJar(distribution.resolve("system"), "hazelcast"), bundles.resolve("hazelcast.jar"),
                StandardCopyOption.REPLACE_EXISTING);

        Manifest main = new Manifest();
        main.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        writeJar(lib.resolve("bare-main.jar"), main, BareFelixMain.class);

        Manifest bundle = new Manifest();
        Attributes attributes = bundle.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.putValue("Bundle-ManifestVersion", "2");
        attributes.putValue("Bundle-SymbolicName", "io.cohort.bench.bare");
        attributes.putValue("Bundle-Version", "1.0.0");
        attributes.putValue("Bundle-Activator", BareMemberActivator.class.getName());
        attributes.putValue("Import-Package",
                "org.osgi.framework,com.hazelcast.config,com.hazelcast.config.cp,com.hazelcast.core");
        writeJar(bundles.resolve("bare-member.jar"), bundle, BareMemberActivator.class, BareFelixMain.class);
        return home;
    }

    /**
     * Starts a node of {@code home} as at its first start, from an empty data folder and with the {@code cache/} of
     * the distribution folder, and measures it as {@code system}.
     *
     * @param classArchive whether {@code bin/cohort} may use and write its class archive
     */
    private Start startCohort(Path home, String system, boolean classArchive) throws IOException,
            InterruptedException {
        deleteTree(home.resolve("data"));
        copyTree(distribution.resolve("cache"), home.resolve("cache"));
        Files.createDirectories(home.resolve("log"));
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/cohort").toString(), "run", "--no-console")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("log/stdout.log").toFile()))
                .redirectErrorStream(true);
        builder.environment().remove("JAVA_OPTS");
        builder.environment().put("COHORT_CLASS_ARCHIVE", classArchive ? "on" : "off");
        Path socket = home.resolve("data/run/cohort.sock");

        long begin = System.nanoTime();
        Process process = builder.start();
        try {
            awaitCommand(process, socket, "cohort:members", begin);
            awaitCommand(process, socket, "cohort:info", begin);
            long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            return idleAndStop(system, process, readyMillis);
        } finally {
            ensureStopped(process);
        }
    }

    private Start startBare(Path home) throws IOException, InterruptedException {
        deleteTree(home.resolve("storage"));
        Path stdout = home.resolve("stdout.log");
        Files.deleteIfExists(stdout);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", home.resolve("lib/felix.jar") + ":" + home.resolve("lib/bare-main.jar"),
                BareFelixMain.class.getName(), home.resolve("bundles").toString(), home.resolve("storage").toString(),
                Integer.toString(barePort), cluster + "-bare"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(stdout.toFile())
                .redirectErrorStream(true);

        long begin = System.nanoTime();
        Process process = builder.start();
        try {
            while (!Files.readString(stdout).contains(BareFelixMain.READY_LINE)) {
                checkWaiting(process, begin, "the bare node printing " + BareFelixMain.READY_LINE, stdout);
                Thread.sleep(POLL_MILLIS);
            }
            long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            return idleAndStop("bareFelix", process, readyMillis);
        } finally {
            ensureStopped(process);
        }
    }

    private Start idleAndStop(String system, Process process, long readyMillis) throws IOException,
            InterruptedException {
        // G1 hands the memory that a full GC freed back to the system on a thread of its own, after the GC, so the
        // resident memory read right after GC.run can still include it.
        Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_SECONDS - AFTER_GC_SECONDS));
        long pid = process.pid();
        jcmd(pid, "GC.run");
        Thread.sleep(TimeUnit.SECONDS.toMillis(AFTER_GC_SECONDS));
        Matcher heap = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        long heapUsedKiB = heap.find() ? Long.parseLong(heap.group(1)) : -1;
        Map<String, Long> status = procStatus(pid);

        long stopBegin = System.nanoTime();
        process.destroy();
        if (!process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("Process {} ({}) still runs {} s after SIGTERM; killing it", pid, system, STOP_WAIT_SECONDS);
            process.destroyForcibly().waitFor();
        }
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopBegin);

        Start start = new Start(system, readyMillis, heapUsedKiB, status.getOrDefault("Threads", -1L),
                status.getOrDefault("VmRSS", -1L), stopMillis);
        LOG.info("Start of {} (pid {}): {}", system, pid, start);
        return start;
    }

    /** Sends {@code command} to the node's socket until it returns exit status 0. */
    static void awaitCommand(Process process, Path socket, String command, long begin)
            throws IOException, InterruptedException {
        while (sendCommand(socket, command) != 0) {
            checkWaiting(process, begin, "the node answering " + command, socket);
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Returns the exit status of {@code command}, or -1 when the node does not listen yet. */
    static int sendCommand(Path socket, String command) {
        if (!Files.exists(socket)) {
            return -1;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] line = command.getBytes(StandardCharsets.UTF_8);
            ByteBuffer request = ByteBuffer.allocate(Integer.BYTES + line.length).putInt(line.length).put(line);
            request.flip();
            while (request.hasRemaining()) {
                channel.write(request);
            }
            return readExitStatus(Channels.newInputStream(channel));
        } catch (IOException e) {
            return -1;
        }
    }

    /** Skips the output frames of a command response and returns the status of its exit frame. */
    static int readExitStatus(InputStream in) throws IOException {
        DataInputStream frames = new DataInputStream(in);
        while (true) {
            int type = frames.read();
            if (type < 0) {
                return -1;
            }
            int length = frames.readInt();
            if (type == 'X') {
                return frames.readInt();
            }
            frames.skipNBytes(length);
        }
    }

    static void checkWaiting(Process process, long begin, String what, Path where) {
        if (!process.isAlive()) {
            throw new IllegalStateException("process " + process.pid() + " ended with status "
                    + process.exitValue() + " while waiting for " + what + " (" + where + ")");
        }
        if (System.nanoTime() - begin > READY_TIMEOUT_NANOS) {
            throw new IllegalStateException("timed out after " + TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NANOS)
                    + " s waiting for " + what + " (" + where + ")");
        }
    }

    static void ensureStopped(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream in = jcmd.getInputStream()) {
            in.transferTo(output);
        }
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return output.toString(StandardCharsets.UTF_8);
    }

    /** Reads the numeric fields of {@code /proc/PID/status}, such as {@code Threads} and {@code VmRSS} (KiB). */
    private static Map<String, Long> procStatus(long pid) throws IOException {
        Map<String, Long> fields = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            Matcher field = STATUS_FIELD.matcher(line);
            if (field.find()) {
                fields.put(field.group(1), Long.parseLong(field.group(2)));
            }
        }
        return fields;
    }

    static Path findJar(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix)
                    && file.getFileName().toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no " + prefix + "*.jar under " + dir));
        }
    }

    /** Writes a jar with {@code manifest} and the class files of {@code classes}, nested classes included. */
    private static void writeJar(Path jar, Manifest manifest, Class<?>... classes) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> type : classes) {
                String resource = type.getName().replace('.', '/') + ".class";
                try (InputStream in = StartupHarness.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IOException("class file " + resource + " not found on the class path");
                    }
                    out.putNextEntry(new JarEntry(resource));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    /** Returns the member port of the start-up group's Cohort node: {@value #PORT_PROPERTY}, or the default. */
    static int memberPort() {
        return Integer.getInteger(PORT_PROPERTY, DEFAULT_PORT);
    }

    /**
     * Copies the node folder {@code distribution} to {@code home} as it was laid out: with empty {@code deploy/},
     * {@code data/} and {@code log/} folders, whatever a node run from {@code distribution} left there (a running
     * node's command socket among it, which is no file to copy).
     */
    static void copyHome(Path distribution, Path home) throws IOException {
        Set<String> emptied = Set.of("deploy", "data", "log");
        deleteTree(home);
        Files.createDirectories(home);
        try (Stream<Path> entries = Files.list(distribution)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (emptied.contains(name)) {
                    Files.createDirectories(home.resolve(name));
                } else {
                    copyTree(entry, home.resolve(name));
                }
            }
        }
        Path deploy = distribution.resolve("deploy");
        if (Files.isDirectory(deploy)) {
            try (Stream<Path> files = Files.list(deploy)) {
                List<String> left = files.map(file -> file.getFileName().toString()).sorted().toList();
                if (!left.isEmpty()) {
                    LOG.warn("{} contains {}; the measured node starts without them", deploy, left);
                }
            }
        }
    }

    static void copyTree(Path source, Path target) throws IOException {
        deleteTree(target);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }
}
