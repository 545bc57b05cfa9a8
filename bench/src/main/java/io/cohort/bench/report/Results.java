package io.cohort.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * The files one run wrote: {@code environment.json}, the JMH JSON files {@code jmh-*.json}, {@code harness.json},
 * {@code startup.json} and {@code hotdeploy.json}.
 * A benchmark that appears several times (once per round) counts with the iterations of all its entries. Missing
 * files leave their rows missing; the report shows "not measured" for them.
 */
final class Results {

    /** A pause line of {@code -Xlog:gc}, for example {@code ... Pause Young (Normal) ... 120M->30M(1024M) 12.3ms}. */
    private static final Pattern GC_PAUSE = Pattern.compile("Pause.* ([0-9.]+)ms$");

    private final JsonNode environment;
    private final Map<String, List<Double>> jmhIterations = new HashMap<>();
    private final Map<String, Integer> jmhThreads = new HashMap<>();
    private final Map<String, HarnessRow> harness = new HashMap<>();
    private final List<Double> gcPauseMillis = new ArrayList<>();
    private final List<JsonNode> starts = new ArrayList<>();
    private JsonNode hotDeploy;

    /** One JMH benchmark: its thread count and the statistics of its measured iterations. */
    record JmhRow(int threads, Stats stats) {
    }

    /** One harness row, as {@code io.cohort.bench.harness.HarnessResult} wrote it. */
    record HarnessRow(JsonNode node) {

        double number(String field) {
            return node.path(field).asDouble();
        }

        long count(String field) {
            return node.path(field).asLong();
        }

        Optional<Stats> rounds() {
            List<Double> values = new ArrayList<>();
            node.path("roundsPerSecond").forEach(value -> values.add(value.asDouble()));
            return values.isEmpty() ? Optional.empty() : Optional.of(Stats.of(values));
        }
    }

    private Results(JsonNode environment) {
        this.environment = environment;
        this.hotDeploy = MissingNode.getInstance();
    }

    /**
     * Reads the results in {@code directory}.
     *
     * @throws IOException if a file exists but cannot be read or parsed
     */
    static Results read(Path directory) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path environmentFile = directory.resolve("environment.json");
        JsonNode environment = Files.exists(environmentFile) ? json.readTree(environmentFile.toFile())
                : json.createObjectNode();
        Results results = new Results(environment);

        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("jmh-.*\\.json")).toList()) {
                for (JsonNode benchmark : json.readTree(file.toFile())) {
                    results.addJmh(benchmark);
                }
            }
        }
        Path harnessFile = directory.resolve("harness.json");
        if (Files.exists(harnessFile)) {
            for (JsonNode row : json.readTree(harnessFile.toFile())) {
                results.harness.put(row.path("section").asText() + "/" + row.path("system").asText() + "/"
                        + row.path("metric").asText(), new HarnessRow(row));
            }
        }
        Path startupFile = directory.resolve("startup.json");
        if (Files.exists(startupFile)) {
            json.readTree(startupFile.toFile()).forEach(results.starts::add);
        }
        Path hotDeployFile = directory.resolve("hotdeploy.json");
        if (Files.exists(hotDeployFile)) {
            results.hotDeploy = json.readTree(hotDeployFile.toFile());
        }
        Path gcLog = directory.resolve("gc.log");
        if (Files.exists(gcLog)) {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher pause = GC_PAUSE.matcher(line);
                if (pause.find()) {
                    results.gcPauseMillis.add(Double.parseDouble(pause.group(1)));
                }
            }
        }
        return results;
    }

    JsonNode environment() {
        return environment;
    }

    /** Returns the length of each stop-the-world pause in {@code gc.log}, in milliseconds; empty without the log. */
    List<Double> gcPauseMillis() {
        return gcPauseMillis;
    }

    /**
     * Returns the benchmark {@code Class.method}, for example {@code CacheBenchmark.get_cohortGrid}, with the
     * measured iterations of all its rounds.
     */
    Optional<JmhRow> jmh(String name) {
        List<Double> iterations = jmhIterations.get(name);
        if (iterations == null || iterations.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JmhRow(jmhThreads.getOrDefault(name, 1), Stats.of(iterations)));
    }

    /**
     * Returns {@code field} of every node start of {@code system} in {@code startup.json}, in run order; empty
     * when the start-up group did not run.
     */
    List<Double> startup(String system, String field) {
        List<Double> values = new ArrayList<>();
        for (JsonNode start : starts) {
            if (start.path("system").asText().equals(system)) {
                values.add(start.path(field).asDouble());
            }
        }
        return values;
    }

    /**
     * Returns {@code field} of every hot deploy round after the first, in run order, leaving out the values -1 that
     * mean unknown; empty when the hot deploy group did not run.
     */
    List<Double> hotDeploys(String field) {
        List<Double> values = new ArrayList<>();
        for (JsonNode deploy : hotDeploy.path("deploys")) {
            double value = deploy.path(field).asDouble(-1);
            if (deploy.path("round").asInt() > 0 && value >= 0) {
                values.add(value);
            }
        }
        return values;
    }

    /** Returns {@code field} of the first hot deploy round, the node's first plugin load since its start. */
    Optional<Double> firstHotDeploy(String field) {
        for (JsonNode deploy : hotDeploy.path("deploys")) {
            if (deploy.path("round").asInt() == 0 && deploy.path(field).isNumber()) {
                return Optional.of(deploy.path(field).asDouble());
            }
        }
        return Optional.empty();
    }

    /** Returns the FileInstall poll interval of the hot deploy node in milliseconds, or 0 if not measured. */
    long hotDeployPollMillis() {
        return hotDeploy.path("pollMillis").asLong(0);
    }

    /** Returns the file name of the plugin jar the hot deploy group deployed, or its pattern when not measured. */
    String hotDeployPlugin() {
        return hotDeploy.path("plugin").asText("sample-starter-*.jar");
    }

    /** Returns the harness row of {@code section}, {@code system} and {@code metric}. */
    Optional<HarnessRow> harness(String section, String system, String metric) {
        return Optional.ofNullable(harness.get(section + "/" + system + "/" + metric));
    }

    private void addJmh(JsonNode benchmark) {
        String fullName = benchmark.path("benchmark").asText();
        String[] parts = fullName.split("\\.");
        String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
        List<Double> iterations = jmhIterations.computeIfAbsent(name, key -> new ArrayList<>());
        for (JsonNode fork : benchmark.path("primaryMetric").path("rawData")) {
            fork.forEach(value -> iterations.add(value.asDouble()));
        }
        jmhThreads.put(name, benchmark.path("threads").asInt(1));
    }
}
