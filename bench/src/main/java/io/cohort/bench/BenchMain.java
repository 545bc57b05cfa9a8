package io.cohort.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.hazelcast.instance.BuildInfoProvider;

import io.cohort.bench.fixture.BenchCluster;
import io.cohort.bench.fixture.BenchNode;
import io.cohort.bench.fixture.Fixtures;
import io.cohort.bench.harness.Harness;
import io.cohort.bench.harness.HarnessResult;
import io.cohort.bench.jmh.CacheBenchmark;
import io.cohort.bench.jmh.LockBenchmark;
import io.cohort.bench.jmh.RaftLockBenchmark;
import io.cohort.bench.startup.HotDeployHarness;
import io.cohort.bench.startup.StartupHarness;
import io.cohort.jdbc.BenchDatabase;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.profile.ProfilerFactory;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.ProfilerConfig;
import org.openjdk.jmh.runner.options.TimeValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every benchmark in this JVM and writes the results to a directory: {@code environment.json},
 * {@code jmh-<group>.json} (JMH's JSON format), {@code harness.json}, {@code startup.json} and
 * {@code hotdeploy.json}.
 *
 * <p>The Hazelcast members live in this JVM, so JMH runs without forking ({@code forks 0}): every row shares one
 * cluster, started once, instead of starting three members per row. The grid cluster serves the cache, lock, pub/sub,
 * sync and queue groups and is terminated before the Raft cluster starts for the Raft lock group.
 *
 * <p>Usage: {@code BenchMain [--quick | --full] [--out DIR] [--only GROUP,...] [--prof PROFILER]...
 * [--include REGEX]}, with the groups {@value #GROUPS}. {@code --prof} adds a JMH profiler by name, for example
 * {@code gc} or {@code stack}; {@code --include} keeps the JMH benchmarks whose method name matches.
 */
public final class BenchMain {

    static final String GROUPS = "startup,hotdeploy,cache,lock,raft,pubsub,sync,queue";

    /** Exit status for invalid arguments. */
    static final int EXIT_USAGE = 2;

    /** The JMH benchmark class of each group that has one; the other groups run harnesses. */
    private static final Map<String, Class<?>> JMH_GROUPS = Map.of("cache", CacheBenchmark.class, "lock",
            LockBenchmark.class, "raft", RaftLockBenchmark.class);

    private static final Logger LOG = LoggerFactory.getLogger(BenchMain.class);

    private final Path out;
    private final boolean quick;
    private final Set<String> groups;
    private final List<String> profilers;
    private final String include;
    private final List<HarnessResult> harnessResults = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private boolean failed;

    private BenchMain(Path out, boolean quick, Set<String> groups, List<String> profilers, String include) {
        this.out = out;
        this.quick = quick;
        this.groups = groups;
        this.profilers = profilers;
        this.include = include;
    }

    /**
     * Runs the benchmarks that {@code args} select. Invalid arguments end the JVM with status
     * {@value #EXIT_USAGE} and a message on standard error, before any benchmark runs. With
     * {@code --check-arguments} it only checks the other arguments, so that {@code bench/run.sh} can reject them
     * before it starts Redis.
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of("target/bench-results");
        boolean quick = true;
        Set<String> groups = new LinkedHashSet<>(List.of(GROUPS.split(",")));
        List<String> profilers = new ArrayList<>();
        String include = null;
        boolean checkOnly = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--full" -> quick = false;
                    case "--out" -> out = Path.of(value(args, ++i, "--out"));
                    case "--only" -> groups = groups(value(args, ++i, "--only"));
                    case "--prof" -> profilers.add(profiler(value(args, ++i, "--prof")));
                    case "--include" -> include = regex(value(args, ++i, "--include"));
                    case "--check-arguments" -> checkOnly = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; expected "
                            + "--quick, --full, --out DIR, --only " + GROUPS + ", --prof PROFILER or --include REGEX");
                }
            }
            if (include != null) {
                requireMatches(include, groups);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("cohort-bench: " + e.getMessage());
            System.exit(EXIT_USAGE);
        }
        if (checkOnly) {
            return;
        }
        Files.createDirectories(out);
        boolean ok;
        try {
            ok = new BenchMain(out, quick, groups, profilers, include == null ? ".*" : include).run();
        } finally {
            Fixtures.closeAll();
        }
        System.exit(ok ? 0 : 1);
    }

    private boolean run() throws IOException {
        Map<String, Object> environment = environment();
        write("environment.json", environment);
        LOG.info("Running {} mode, groups {}, results in {}", quick ? "quick" : "full", groups, out);

        // Node processes start first, while this JVM runs no members that would compete for the CPU.
        if (groups.contains("startup")) {
            startup();
        }
        if (groups.contains("hotdeploy")) {
            hotDeploy();
        }

        if (groups.contains("cache")) {
            jmh("cache");
        }
        if (groups.contains("lock")) {
            jmh("lock");
        }
        Harness.Settings settings = quick ? Harness.Settings.quick() : Harness.Settings.full();
        if (groups.contains("pubsub")) {
            harness(() -> Harness.pubSub(settings, Fixtures.grid(), Fixtures.redis(), out));
        }
        if (groups.contains("sync")) {
            harness(() -> syncRows(settings));
        }
        if (groups.contains("queue")) {
            harness(() -> Harness.queue(settings, Fixtures.grid(), Fixtures.redis(), out));
        }
        Fixtures.closeGrid();
        if (groups.contains("raft")) {
            jmh("raft");
        }
        Fixtures.closeAll();

        environment.put("finishedAt", Instant.now().toString());
        environment.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        write("environment.json", environment);
        LOG.info("Results written to {}{}", out, failed ? "; some groups failed, see the log above" : "");
        return !failed;
    }

    /**
     * Runs the benchmarks of one class in rounds, forward in odd rounds and backward in even ones, after one run of
     * the first benchmark that is not counted, and writes all rounds to {@code jmh-<group>.json}. Each benchmark thus
     * runs at a balanced mix of moments of the run, so load from other processes that rises or falls during the run
     * does not favour the rows that happen to run early.
     */
    private void jmh(String group) throws IOException {
        Class<?> benchmarkClass = JMH_GROUPS.get(group);
        List<String> methods = benchmarkMethods(benchmarkClass).stream()
                .filter(name -> name.matches(include))
                .toList();
        List<RunResult> results = new ArrayList<>();
        if (methods.size() > 1) {
            // The first row after the cluster starts ran at about half its later rate (the lock group's contended
            // rows, first in the first round). One run that is not counted warms the JVM and the cluster for it.
            String first = benchmarkClass.getName() + "." + methods.get(0);
            LOG.info("Warm-up run of {}, not counted", first);
            runBenchmark(first, true);
        }
        for (int round = 0; round < jmhRounds(); round++) {
            List<String> order = new ArrayList<>(methods);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String method : order) {
                runBenchmark(benchmarkClass.getName() + "." + method, round == 0).ifPresent(results::add);
            }
        }
        ResultFormatFactory.getInstance(ResultFormatType.JSON, out.resolve("jmh-" + group + ".json").toString())
                .writeOut(results);
    }

    private Optional<RunResult> runBenchmark(String benchmark, boolean firstRound) {
        int warmupIterations;
        if (firstRound) {
            warmupIterations = quick ? 2 : 5;
        } else {
            warmupIterations = quick ? 1 : 2;
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark) + "$")
                .forks(0)
                .warmupIterations(warmupIterations)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 4)
                .measurementTime(TimeValue.seconds(1))
                .timeout(TimeValue.seconds(60))
                .shouldFailOnError(true);
        for (String profiler : profilers) {
            options.addProfiler(profiler);
        }
        try {
            return new Runner(options.build()).run().stream().findFirst();
        } catch (RunnerException | RuntimeException e) {
            failed = true;
            LOG.error("Benchmark {} failed; its row is left out", benchmark, e);
            return Optional.empty();
        }
    }

    private int jmhRounds() {
        return quick ? 2 : 3;
    }

    private void harness(HarnessRun run) throws IOException {
        try {
            harnessResults.addAll(run.results());
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("Harness rows failed", e);
        }
        write("harness.json", harnessResults);
    }

    private void startup() throws IOException {
        Path distribution = Path.of(System.getProperty("cohort.bench.distribution", "runtime/target/cohort"));
        try {
            write("startup.json", StartupHarness.run(distribution, out.resolve("startup"), quick ? 5 : 9,
                    quick ? 3 : 6));
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("Start-up rows failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = true;
            LOG.error("Start-up rows interrupted", e);
        }
    }

    private void hotDeploy() throws IOException {
        Path distribution = Path.of(System.getProperty("cohort.bench.distribution", "runtime/target/cohort"));
        try {
            write("hotdeploy.json", HotDeployHarness.run(distribution, out.resolve("hotdeploy"), quick ? 10 : 20));
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("Hot deploy rows failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = true;
            LOG.error("Hot deploy rows interrupted", e);
        }
    }

    /** Runs the sync rows on the grid cluster, with node 0's database in a fresh folder of the data directory. */
    private List<HarnessResult> syncRows(Harness.Settings settings) {
        BenchCluster cluster = Fixtures.grid();
        Path folder = Fixtures.dataDir().resolve("sync-db-" + System.nanoTime());
        try (BenchDatabase database = BenchDatabase.open(folder, BenchNode.APP, BenchNode.HAZELCAST,
                cluster.node(0).pubSubAdapter())) {
            return Harness.sync(settings, cluster, database, out);
        }
    }

    /** One group of harness rows. */
    @FunctionalInterface
    private interface HarnessRun {
        List<HarnessResult> results();
    }

    private Map<String, Object> environment() throws IOException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("startedAt", Instant.now().toString());
        environment.put("mode", quick ? "quick" : "full");
        environment.put("command", System.getProperty("cohort.bench.command", "BenchMain"));
        environment.put("cores", Runtime.getRuntime().availableProcessors());
        environment.put("cpu", cpuModel());
        environment.put("memoryMiB", os.getTotalMemorySize() / (1024 * 1024));
        environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        environment.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        environment.put("jvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        environment.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        environment.put("loadAverageAtStart", os.getSystemLoadAverage());
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("hazelcast", BuildInfoProvider.getBuildInfo().getVersion());
        Properties pins = new Properties();
        try (InputStream in = BenchMain.class.getResourceAsStream("/bench-versions.properties")) {
            if (in != null) {
                pins.load(in);
            }
        }
        for (String name : List.of("redisson", "jmh", "jackson", "caffeine")) {
            versions.put(name, pins.getProperty(name, "unknown"));
        }
        versions.put("redis", System.getProperty("cohort.bench.redis.version", "unknown"));
        environment.put("versions", versions);
        environment.put("jmhIterations", quick
                ? "2 rounds of each benchmark, forward then backward; 2 warm-up iterations in the first round and 1 "
                        + "in the second, 2 measured iterations per round; 1 s each"
                : "3 rounds of each benchmark, forward, backward, forward; 5 warm-up iterations in the first round "
                        + "and 2 in the others, 4 measured iterations per round; 1 s each");
        return environment;
    }

    private static String cpuModel() {
        Path cpuInfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuInfo)) {
            return "unknown";
        }
        try {
            return Files.readAllLines(cpuInfo).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void write(String file, Object value) throws IOException {
        json.writeValue(out.resolve(file).toFile(), value);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    /** Returns {@code name} if JMH has a profiler of that name that runs on this machine. */
    private static String profiler(String name) {
        int colon = name.indexOf(':');
        ProfilerConfig config = colon < 0 ? new ProfilerConfig(name)
                : new ProfilerConfig(name.substring(0, colon), name.substring(colon + 1));
        try {
            ProfilerFactory.getProfilerOrException(config);
        } catch (ProfilerException e) {
            throw new IllegalArgumentException("--prof '" + name + "' is not a JMH profiler that runs on this machine ("
                    + e.getMessage() + "); gc and stack run everywhere", e);
        }
        return name;
    }

    /**
     * Checks that {@code include} selects a JMH benchmark of {@code groups}, so that a misspelt name or a group
     * without JMH benchmarks does not make a run that measures nothing.
     */
    private static void requireMatches(String include, Set<String> groups) {
        List<String> selected = groups.stream().filter(JMH_GROUPS::containsKey).toList();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("--include selects JMH benchmarks, and the groups " + groups
                    + " have none; the groups with JMH benchmarks are " + JMH_GROUPS.keySet().stream().sorted()
                    .toList());
        }
        List<String> names = selected.stream()
                .flatMap(group -> benchmarkMethods(JMH_GROUPS.get(group)).stream())
                .sorted()
                .toList();
        if (names.stream().noneMatch(name -> name.matches(include))) {
            throw new IllegalArgumentException("--include '" + include + "' matches no benchmark method of "
                    + selected + "; their methods: " + String.join(", ", names));
        }
    }

    /** Returns the names of the {@link Benchmark} methods of {@code benchmarkClass}, sorted. */
    private static List<String> benchmarkMethods(Class<?> benchmarkClass) {
        return Arrays.stream(benchmarkClass.getMethods())
                .filter(method -> method.isAnnotationPresent(Benchmark.class))
                .map(Method::getName)
                .sorted()
                .toList();
    }

    /** Returns {@code regex} if it compiles as a Java regular expression. */
    private static String regex(String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--include '" + regex + "' is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex(), e);
        }
        return regex;
    }

    private static Set<String> groups(String list) {
        Set<String> known = Set.of(GROUPS.split(","));
        Set<String> chosen = new LinkedHashSet<>();
        for (String group : list.split(",")) {
            if (!known.contains(group.trim())) {
                throw new IllegalArgumentException("unknown group '" + group + "'; expected some of " + GROUPS);
            }
            chosen.add(group.trim());
        }
        return chosen;
    }
}
