package io.cohort.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import io.cohort.bench.startup.StartupHarness;
import io.cohort.jdbc.BenchDatabase;

/**
 * Writes the benchmark report (Markdown) from the files of one run, plus the hand-written findings file.
 *
 * <p>Usage: {@code ReportWriter RESULTS_DIR OUTPUT_FILE [FINDINGS_FILE]}.
 */
public final class ReportWriter {

    private static final String CACHE = "CacheBenchmark.";
    private static final String LOCK = "LockBenchmark.";
    private static final String RAFT = "RaftLockBenchmark.";
    private static final double THROUGHPUT_TARGET = 0.9;
    private static final double LOCK_TARGET = 0.95;
    private static final double NEAR_CACHE_OVER_REDIS_TARGET = 10;
    private static final double PUBSUB_P99_TARGET_MICROS = 5_000;
    private static final double STARTUP_TARGET = 1.5;
    private static final double HOT_DEPLOY_TARGET_POLLS = 2;
    private static final double FIXED_DELAY_LIMIT_MICROS = 1_000;

    private final Results results;
    private final StringBuilder out = new StringBuilder();

    ReportWriter(Results results) {
        this.results = results;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: ReportWriter RESULTS_DIR OUTPUT_FILE [FINDINGS_FILE]");
            System.exit(2);
        }
        Results results = Results.read(Path.of(args[0]));
        String findings = args.length == 3 && Files.exists(Path.of(args[2]))
                ? Files.readString(Path.of(args[2]), StandardCharsets.UTF_8) : "";
        String report = new ReportWriter(results).write(findings);
        Path output = Path.of(args[1]);
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        Files.writeString(output, report, StandardCharsets.UTF_8);
        System.out.println("Report written to " + output);
    }

    String write(String findings) {
        header();
        targets();
        cache();
        wrap();
        counters();
        pubSub();
        sync();
        queue();
        locks();
        startup();
        hotDeploy();
        if (isPartial(results.environment().path("command").asText(""))) {
            line("The findings that explain these rows belong to the full run of `docs/benchmarks.md`, so this page "
                    + "of some groups leaves them out.");
        } else if (!findings.isBlank()) {
            out.append('\n').append(findings.strip()).append('\n');
        }
        return out.toString();
    }

    /** Returns whether {@code command} ran only some groups or benchmarks, whose page leaves the findings out. */
    private static boolean isPartial(String command) {
        return command.contains("--only") || command.contains("--include");
    }

    private void header() {
        JsonNode env = results.environment();
        JsonNode versions = env.path("versions");
        line("# Benchmarks");
        line("");
        line("What Cohort's managers cost compared with wiring Hazelcast or Redis by hand. Every row below was "
                + "measured in the same run, beside its baseline.");
        line("");
        line("**These numbers come from one run on a shared 2-core machine**, with a load average of "
                + number(env, "loadAverageAtStart") + " at the start and " + number(env, "loadAverageAtEnd")
                + " at the end. The benchmark itself keeps both cores busy, and the load average also counts any "
                + "other work on the machine. "
                + "So a difference smaller than the spread of its rows is noise, and tail latencies include "
                + "scheduling delays of the machine. Compare ratios within this page, not absolute numbers with "
                + "other machines.");
        line("");

        line("## Machine and command");
        line("");
        line("| | |");
        line("|---|---|");
        line("| CPU | " + env.path("cores").asText("?") + " cores, " + env.path("cpu").asText("unknown") + " |");
        line("| memory | " + env.path("memoryMiB").asText("?") + " MiB |");
        line("| OS | " + env.path("os").asText("unknown") + " |");
        line("| JDK | " + env.path("jdk").asText("unknown") + " |");
        line("| JVM | heap " + env.path("maxHeapMiB").asText("?") + " MiB max, G1; all members, clients and "
                + "benchmark threads in one JVM |");
        line("| versions | Hazelcast " + versions.path("hazelcast").asText("?") + ", Redisson "
                + versions.path("redisson").asText("?") + ", Redis " + versions.path("redis").asText("?")
                + " (Debian package), JMH " + versions.path("jmh").asText("?") + ", Jackson "
                + versions.path("jackson").asText("?") + ", Caffeine " + versions.path("caffeine").asText("?")
                + " |");

        line("| run | " + env.path("mode").asText("?") + " mode, " + env.path("startedAt").asText("?") + " to "
                + env.path("finishedAt").asText("?") + " |");
        line("| JMH | " + env.path("jmhIterations").asText("?") + "; no fork |");
        List<Double> pauses = results.gcPauseMillis();
        if (!pauses.isEmpty()) {
            double total = pauses.stream().mapToDouble(Double::doubleValue).sum();
            double longest = pauses.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            line("| GC | " + pauses.size() + " pauses, longest " + Format.micros(longest * 1_000) + ", "
                    + Format.micros(total * 1_000) + " in all (`gc.log` of the run) |");
        }
        line("");

        line("Command, from the repository root:");
        line("");
        line("```");
        String command = env.path("command").asText("bench/run.sh --quick");
        line(command);
        line("```");
        line("");
        String build = command.contains("--no-build")
                ? "It uses `bench/target/cohort-bench.jar` and the node folder `runtime/target/cohort` as built before"
                : "It builds `bench/target/cohort-bench.jar` and the node folder `runtime/target/cohort`";
        String groups = isPartial(command) ? "runs the chosen groups in one JVM"
                : "runs every group in one JVM (the start-up and hot deploy groups launch node processes from it)";
        String page = isPartial(command)
                ? "writes this page beside the results in `bench/target/results/<time>/`"
                : "rewrites this page from the results in `bench/target/results/<time>/`";
        line(build + ", starts Redis on 127.0.0.1 (persistence off), " + groups + ", stops Redis and " + page
                + ". `bench/run.sh --help` lists the options (`--full` for longer runs, `--only` for some groups, "
                + "`--prof gc` to add a JMH profiler).");
        line("");

        line("## How to read the tables");
        line("");
        line("- Setup: three Hazelcast members in the benchmark JVM, bound to 127.0.0.1, each with a Cohort node "
                + "built from the same classes a running node uses (managers, adapters, per-plugin views). Calls "
                + "come from node 0; cross-node rows receive on node 1 or on all three. Redis runs as a separate "
                + "process on 127.0.0.1; each simulated node has its own Redisson client.");
        line("- JMH rows: the median of the one-second iterations, with the slowest and fastest iteration as the "
                + "spread. JMH runs without forking, because the members it measures live in its JVM; every row "
                + "shares that JVM and that cluster. Each group runs its benchmarks in two rounds (three with "
                + "`--full`), in opposite orders, after one uncounted run of its first benchmark that warms the JVM "
                + "and the cluster. Time per call is 1 / median for one calling thread.");
        line("- Ratios: Cohort's median over the baseline's median. In brackets, the range the two spreads allow: "
                + "Cohort's slowest iteration over the baseline's fastest, and the reverse.");
        line("- Harness rows (pub/sub, sync, queue): latencies are measured from the intended send time of each "
                + "item at a fixed rate, so a stall counts against every item it delays. The systems take turns in "
                + "segments, so background load falls on all of them alike. Each system first sends at the row's "
                + "rate unrecorded, then all take one more unrecorded turn of that length, and one unrecorded "
                + "throughput round, so the compilations the warm-ups start do not count against whichever system "
                + "comes first.");
        line("");
    }

    private void targets() {
        line("## Targets");
        line("");
        line("| target | measured | verdict |");
        line("|---|---|---|");

        ratioTarget("cache get, `hazelcast` store ≥ 0.9× raw `IMap` get", jmhRatio(CACHE + "get_cohortGrid",
                CACHE + "get_rawImap"), THROUGHPUT_TARGET);
        ratioTarget("cache set, `hazelcast` store ≥ 0.9× raw `IMap` set", jmhRatio(CACHE + "set_cohortGrid",
                CACHE + "set_rawImap"), THROUGHPUT_TARGET);
        ratioTarget("cache get with near cache ≥ 0.9× raw `IMap` get with the same near cache",
                jmhRatio(CACHE + "get_cohortNear", CACHE + "get_rawImapNearLocal"), THROUGHPUT_TARGET);
        ratioTarget("cache get with near cache ≥ 10× Redisson `RMapCache` get", jmhRatio(CACHE + "get_cohortNear",
                CACHE + "get_redisson"), NEAR_CACHE_OVER_REDIS_TARGET);
        ratioTarget("pub/sub throughput ≥ 0.9× raw reliable topic", harnessRatio("pubsub", "cohort",
                "rawReliableTopic"), THROUGHPUT_TARGET);
        Optional<Results.HarnessRow> latency = results.harness("pubsub", "cohort", "latency");
        if (latency.isPresent()) {
            double p99 = latency.get().number("p99Micros");
            line("| pub/sub cross-node p99 ≤ 5 ms at " + latency.get().count("targetRate") + " msg/s | "
                    + Format.micros(p99) + " | " + (p99 <= PUBSUB_P99_TARGET_MICROS ? "met" : "missed") + " |");
        } else {
            line("| pub/sub cross-node p99 ≤ 5 ms at 1,000 msg/s | not measured | – |");
        }
        syncTarget("sync message, immediate: p50 within 1 ms of pub/sub (no fixed delay)", "syncImmediate", false);
        syncTarget("sync message after commit: p50 within 1 ms of pub/sub + the transaction (no fixed delay)",
                "syncAfterCommit", true);
        ratioTarget("event queue throughput ≥ 0.9× raw `IQueue` offer/poll", harnessRatio("queue", "cohort",
                "rawQueue"), THROUGHPUT_TARGET);
        ratioTarget("lock, uncontended, CP unsafe ≥ 0.95× raw `FencedLock`", jmhRatio(LOCK
                + "uncontended_cohortUnsafe", LOCK + "uncontended_rawUnsafe"), LOCK_TARGET);
        ratioTarget("lock, 3 nodes contended, CP unsafe ≥ 0.95× raw `FencedLock`", jmhRatio(LOCK
                + "contended_cohortUnsafe", LOCK + "contended_rawUnsafe"), LOCK_TARGET);
        ratioTarget("lock, uncontended, 3 CP members ≥ 0.95× raw `FencedLock`", jmhRatio(RAFT
                + "uncontended_cohortRaft", RAFT + "uncontended_rawRaft"), LOCK_TARGET);
        ratioTarget("lock, 3 nodes contended, 3 CP members ≥ 0.95× raw `FencedLock`", jmhRatio(RAFT
                + "contended_cohortRaft", RAFT + "contended_rawRaft"), LOCK_TARGET);
        startupTarget();
        hotDeployTarget();
        line("");

        line("A verdict compares the ratio of medians with the target. \"Within spread\" means the range in "
                + "brackets reaches the other side of the target, so this run cannot tell. The sync rows compare "
                + "the difference of medians instead, and the hot deploy row the median deploy time.");
        line("");
    }

    private void cache() {
        line("## Cache: get and set of a 100-byte value, 3 members");
        line("");
        line("One thread on node 0 cycles through 1,024 keys, so about a third are owned by node 0 and the rest by "
                + "the other two members. Cohort stores a 98-character string, which its JSON codec writes as "
                + "100 bytes (plus a 9-byte expiry header in the `hazelcast` store); the raw map and Redisson "
                + "store 100 raw bytes. No entry has a ttl. Raw `IMap` writes use `set`, which returns no old "
                + "value, as Cohort's store does; Redisson writes use `fastPut`.");
        line("");
        line("### get");
        line("");
        jmhTable(List.of(
                row("Cohort, `memory` store (in process)", CACHE + "get_cohortMemory",
                        cmp(CACHE + "get_caffeine", "Caffeine")),
                row("Cohort, `hazelcast` store", CACHE + "get_cohortGrid", cmp(CACHE + "get_rawImap", "raw IMap"),
                        cmp(CACHE + "get_redisson", "Redisson")),
                row("Cohort, `hazelcast` store, near cache", CACHE + "get_cohortNear",
                        cmp(CACHE + "get_rawImapNearLocal", "raw IMap + same near cache"),
                        cmp(CACHE + "get_redisson", "Redisson")),
                row("raw `IMap<String, byte[]>`", CACHE + "get_rawImap"),
                row("raw `IMap`, same near cache (`cacheLocalEntries`)", CACHE + "get_rawImapNearLocal"),
                row("raw `IMap`, near cache without `cacheLocalEntries` (Hazelcast's default)",
                        CACHE + "get_rawImapNear"),
                row("Redisson `RMapCache`", CACHE + "get_redisson"),
                row("Caffeine `getIfPresent`", CACHE + "get_caffeine")));
        line("### set");
        line("");
        jmhTable(List.of(
                row("Cohort, `memory` store (in process)", CACHE + "set_cohortMemory"),
                row("Cohort, `hazelcast` store", CACHE + "set_cohortGrid", cmp(CACHE + "set_rawImap", "raw IMap"),
                        cmp(CACHE + "set_redisson", "Redisson")),
                row("Cohort, `hazelcast` store, near cache", CACHE + "set_cohortNear",
                        cmp(CACHE + "set_rawImapNearLocal", "raw IMap + same near cache")),
                row("raw `IMap<String, byte[]>`", CACHE + "set_rawImap"),
                row("raw `IMap`, same near cache (`cacheLocalEntries`)", CACHE + "set_rawImapNearLocal"),
                row("Redisson `RMapCache`", CACHE + "set_redisson")));
        line("What this means for a plugin author: a read through the `hazelcast` store costs "
                + perCall(CACHE + "get_cohortGrid") + " here, against " + perCall(CACHE + "get_rawImap")
                + " for the raw map; both are dominated by the hop to the key's owner. Cohort's own share (the key "
                + "check and the JSON decoding into your type) is close to what a whole read from the `memory` "
                + "store costs: " + perCall(CACHE + "get_cohortMemory") + ". A near cache turns every read of a "
                + "cached key into a local read: Cohort's store also keeps the entries the member owns itself "
                + "(`cacheLocalEntries`), which Hazelcast's default leaves to the member's partition thread. What "
                + "remains of a near-cached read is Cohort's own share. Writes with a near cache also send an "
                + "invalidation to every member, which arrives after the write returns (see the findings).");
        line("");
    }

    private void wrap() {
        line("## Wrap hit");
        line("");
        line("`wrap(key, type, loader)` when the key is cached: one read and one JSON decode; the loader does not "
                + "run.");
        line("");
        jmhTable(List.of(
                row("Cohort `wrap`, `memory` store", CACHE + "wrapHit_cohortMemory",
                        cmp(CACHE + "get_caffeine", "Caffeine")),
                row("Cohort `wrap`, `hazelcast` store, near cache", CACHE + "wrapHit_cohortNear",
                        cmp(CACHE + "get_caffeine", "Caffeine"),
                        cmp(CACHE + "get_rawImapNearLocal", "raw IMap + same near cache")),
                row("Caffeine `getIfPresent` (the floor)", CACHE + "get_caffeine")));
        line("What this means for a plugin author: a cached `wrap` costs " + perCall(CACHE + "wrapHit_cohortMemory")
                + " on the `memory` store and " + perCall(CACHE + "wrapHit_cohortNear") + " on the `hazelcast` "
                + "store with a near cache, against " + perCall(CACHE + "get_caffeine") + " for a Caffeine hit. "
                + "The gap to Caffeine is the JSON copy that keeps every caller's object its own.");
        line("");
    }

    private void counters() {
        line("## Operator counters");
        line("");
        line("Each manager counts its operations per cache or channel (hits, misses, sets, published, delivered, "
                + "failed, dropped and so on) for the shell's views, with one `LongAdder` increment per counted "
                + "event. The first row is that increment alone; the second is a `memory` store read that "
                + "counts its hit twice, beside the read as built.");
        line("");
        jmhTable(List.of(
                row("one counter increment (`CacheCounters` hit)", CACHE + "counter_hitIncrement"),
                row("Cohort get, `memory` store, one more increment", CACHE + "get_cohortMemoryExtraCount",
                        cmp(CACHE + "get_cohortMemory", "the read as built")),
                row("Cohort get, `memory` store, as built", CACHE + "get_cohortMemory")));
        Optional<Results.JmhRow> increment = results.jmh(CACHE + "counter_hitIncrement");
        Optional<Results.JmhRow> read = results.jmh(CACHE + "get_cohortMemory");
        Optional<Results.JmhRow> extra = results.jmh(CACHE + "get_cohortMemoryExtraCount");
        if (increment.isPresent() && read.isPresent() && extra.isPresent()) {
            double share = read.get().stats().median() / increment.get().stats().median();
            Stats.Ratio withExtra = extra.get().stats().over(read.get().stats());
            String comparison = withExtra.low() <= 1 && withExtra.high() >= 1
                    ? "sits within the spread of the read as built"
                    : "runs at " + Format.ratio(withExtra) + " of the read as built, outside its spread";
            line("What this means: an increment costs " + perCall(CACHE + "counter_hitIncrement") + ", "
                    + String.format(Locale.ROOT, "%.1f", share * 100) + " % of the fastest counted operation, a "
                    + "read from the `memory` store (" + perCall(CACHE + "get_cohortMemory") + "), and a far "
                    + "smaller share of any grid operation. The read with one more increment " + comparison + ".");
            line("");
        }
    }

    private void startup() {
        line("## Node start and idle footprint");
        line("");
        line("Each system is started as its own process, one at a time, alternating which goes first, and stopped "
                + "with SIGTERM. Cohort: `bin/cohort run --no-console` from a copy of `runtime/target/cohort` with "
                + "every shipped bundle and an empty `deploy/`, as a one-member cluster on 127.0.0.1. It counts as "
                + "ready when its command socket answers `cohort:members` and `cohort:info`, so the Hazelcast "
                + "member, the managers and the shell are up. Ready does not wait for the database: it opens on a "
                + "thread of its own, and the node log shows when it is open (`writes durable sync messages to "
                + "outbox`). Bare: the same Felix framework and Hazelcast jars "
                + "and the same JVM flags, plus one bundle whose activator starts a member with the same loopback "
                + "settings. It has no SCR, configuration admin, FileInstall, Gogo, logging or Cohort bundle, and "
                + "it is ready when its member has started. A full GC runs "
                + (StartupHarness.IDLE_SECONDS - StartupHarness.AFTER_GC_SECONDS) + " s after ready, and the idle "
                + "figures are read " + StartupHarness.AFTER_GC_SECONDS + " s after it; the table shows their "
                + "medians, as for the stop. The harness "
                + "measures times from the process start, and the JVM's default heap settings apply to both. "
                + "Each Cohort start is a first start: a copy of the node folder with an empty data folder. Cohort "
                + "is measured twice. The first row runs with the class archive "
                + "that the build recorded in the node folder's `cache/`. The copy keeps it, since it keeps its "
                + "files' times, so the JVM maps the classes of the JDK, `lib/` and the bundles instead of "
                + "reading and verifying them, as at every start of a home with an archive. The second runs "
                + "without any archive (`COHORT_CLASS_ARCHIVE=off`), as the first two starts of a home that has "
                + "none do: one laid out for another JDK than the one that built it, or copied without its "
                + "files' times. It starts in the first rounds only, to keep the quick mode short.");
        line("");
        line("| system | starts | ready after (median) | spread (min–max) | heap used, idle | threads, idle | "
                + "resident memory, idle | stop after SIGTERM |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        startupRow("Cohort node, first start", "cohort");
        startupRow("Cohort node, first start without a class archive", "cohortNoArchive");
        startupRow("bare Felix + Hazelcast", "bareFelix");
        line("");
    }

    private void startupRow(String label, String system) {
        List<Double> ready = results.startup(system, "readyMillis");
        if (ready.isEmpty()) {
            line("| " + label + " | not measured | | | | | | |");
            return;
        }
        Stats readyStats = Stats.of(ready);
        line("| " + label + " | " + ready.size() + " | " + Format.micros(readyStats.median() * 1_000) + " | "
                + Format.micros(readyStats.min() * 1_000) + "–" + Format.micros(readyStats.max() * 1_000) + " | "
                + mebibytes(Stats.of(results.startup(system, "heapUsedKiB")).median()) + " | "
                + Math.round(Stats.of(results.startup(system, "threads")).median()) + " | "
                + mebibytes(Stats.of(results.startup(system, "rssKiB")).median()) + " | "
                + Format.micros(Stats.of(results.startup(system, "stopMillis")).median() * 1_000) + " |");
    }

    private void hotDeploy() {
        line("## Hot deploy");
        line("");
        line("A Cohort node runs as its own process (`bin/cohort run --no-console` from a copy of "
                + "`runtime/target/cohort`, a one-member cluster on 127.0.0.1). Each round waits a random time "
                + "shorter than one poll interval, so that the copies land at every phase of FileInstall's "
                + "polling, copies `examples/" + results.hotDeployPlugin() + "` into `deploy/`, and waits for the "
                + "node log's line `Plugin starter loaded from bundle ...`. After another such wait it deletes the "
                + "jar and waits for the `unloaded` line and for the framework to drop the bundle. Every time comes "
                + "from the node's own clock: the log line's timestamp, the install time that Felix keeps for the "
                + "bundle (`felix-cache/bundleN/bundle.info`) and the hook time the line states. So the harness's "
                + "polling of the log (every 5 ms, no JVM start) adds nothing.");
        line("");
        long poll = results.hotDeployPollMillis();
        List<Double> loads = results.hotDeploys("loadMillis");
        if (loads.isEmpty() || poll <= 0) {
            line("Not measured in this run.");
            line("");
            return;
        }
        line("| step | median | spread (min–max) | in poll intervals, median (min–max) |");
        line("|---|---:|---:|---:|");
        hotDeployRow("jar copied → plugin `LOADED`", "loadMillis", poll);
        hotDeployRow("of which: copied → bundle installed (FileInstall)", "installMillis", poll);
        hotDeployRow("of which: installed → first hook (resolve, start, components, runtime)", "startMillis", poll);
        hotDeployRow("of which: `beforeLoad` + `load` hooks (the plugin's code)", "hookMillis", poll);
        hotDeployRow("jar deleted → plugin `UNLOADED`", "unloadMillis", poll);
        hotDeployRow("of which: `unload` hook (the plugin's code)", "unloadHookMillis", poll);
        line("");
        hotDeployFindings(loads, poll);
    }

    private void hotDeployFindings(List<Double> loads, long poll) {
        String first = results.firstHotDeploy("loadMillis").map(millis -> Format.micros(millis * 1_000))
                .orElse("not measured");
        line(loads.size() + " deploys, after a first one that took " + first + " and is left out of the rows: it is "
                + "the node's first plugin load since its start, with the class loading and compilation that "
                + "brings. The poll interval is " + poll + " ms (`felix.fileinstall.poll` in `etc/cohort.properties`)."
                + " The harness read each line " + hotDeployLag() + " after its timestamp (median).");
        line("");
        line("Where the time goes: FileInstall (3.7.4) installs a new file only when two scans in a row find the "
                + "same size and modification time, so it needs one to two poll intervals after the copy, "
                + "depending on where in the cycle the copy lands. Its loop waits the poll interval after each "
                + "scan's work, so the cycle is a little longer than the interval. The framework's resolve and "
                + "start, the plugin's components and the plugin runtime then take the installed → first hook "
                + "row, and the plugin's own code the hooks row. A deleted file is seen at the next scan, so an "
                + "unload takes up to one poll interval plus the `unload` hook.");
        line("");
        line("What this means for a plugin author: a jar copied into `deploy/` is loaded "
                + Format.micros(Stats.of(loads).median() * 1_000) + " later at the median and at most "
                + Format.micros(Stats.of(loads).max() * 1_000) + " in this run, most of it FileInstall waiting for "
                + "the file to stop changing. Copy the jar in one step, or move it in from the same file system: "
                + "a file that is still growing at a scan starts that wait again. Your `beforeLoad` and `load` "
                + "hooks add their own time on top; the sample's took " + hotDeployMedian("hookMillis") + ".");
        line("");
    }

    private void hotDeployRow(String label, String field, long poll) {
        List<Double> values = results.hotDeploys(field);
        if (values.isEmpty()) {
            line("| " + label + " | not measured | | |");
            return;
        }
        Stats stats = Stats.of(values);
        line("| " + label + " | " + Format.micros(stats.median() * 1_000) + " | " + Format.micros(stats.min() * 1_000)
                + "–" + Format.micros(stats.max() * 1_000) + " | " + Format.ratio(stats.median() / poll) + " ("
                + Format.ratio(stats.min() / poll).replace("×", "") + "–"
                + Format.ratio(stats.max() / poll).replace("×", "") + ") |");
    }

    private String hotDeployMedian(String field) {
        List<Double> values = results.hotDeploys(field);
        return values.isEmpty() ? "(not measured)" : Format.micros(Stats.of(values).median() * 1_000);
    }

    /** Returns how long after a line's timestamp the harness read it, the median over the rounds. */
    private String hotDeployLag() {
        List<Double> seen = results.hotDeploys("seenMillis");
        List<Double> loads = results.hotDeploys("loadMillis");
        if (seen.size() != loads.size() || seen.isEmpty()) {
            return "(not measured)";
        }
        List<Double> lags = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            lags.add(seen.get(i) - loads.get(i));
        }
        return Format.micros(Stats.of(lags).median() * 1_000);
    }

    private void startupTarget() {
        startupTarget("node start to ready ≤ 1.5× a bare Felix with Hazelcast, first start", "cohort");
        startupTarget("node start to ready ≤ 1.5× a bare Felix with Hazelcast, first start without a class "
                + "archive", "cohortNoArchive");
    }

    private void startupTarget(String description, String system) {
        List<Double> cohort = results.startup(system, "readyMillis");
        List<Double> bare = results.startup("bareFelix", "readyMillis");
        if (cohort.isEmpty() || bare.isEmpty()) {
            line("| " + description + " | not measured | – |");
            return;
        }
        Stats.Ratio ratio = Stats.of(cohort).over(Stats.of(bare));
        String verdict = ratio.value() <= STARTUP_TARGET ? "met" : "missed";
        if (ratio.low() <= STARTUP_TARGET && ratio.high() > STARTUP_TARGET) {
            verdict += ", within spread";
        }
        line("| " + description + " | " + Format.ratio(ratio) + " | " + verdict + " |");
    }

    private void hotDeployTarget() {
        String description = "hot deploy: jar copied into `deploy/` → plugin `LOADED` ≤ 2 poll intervals";
        List<Double> loads = results.hotDeploys("loadMillis");
        long poll = results.hotDeployPollMillis();
        if (loads.isEmpty() || poll <= 0) {
            line("| " + description + " | not measured | – |");
            return;
        }
        Stats stats = Stats.of(loads);
        line("| " + description + " (" + Format.micros(HOT_DEPLOY_TARGET_POLLS * poll * 1_000) + ") | "
                + Format.micros(stats.median() * 1_000) + ", " + Format.ratio(stats.median() / poll) + " of the poll "
                + "interval (" + Format.ratio(stats.min() / poll).replace("×", "") + "–"
                + Format.ratio(stats.max() / poll).replace("×", "") + ") | "
                + hotDeployVerdict(loads, HOT_DEPLOY_TARGET_POLLS * poll) + " |");
    }

    /**
     * Returns the verdict on deploy times against {@code limitMillis}: met or missed by the median, and how many
     * deploys fell on the other side.
     */
    static String hotDeployVerdict(List<Double> loadMillis, double limitMillis) {
        Stats stats = Stats.of(loadMillis);
        long over = loadMillis.stream().filter(load -> load > limitMillis).count();
        if (stats.median() <= limitMillis) {
            return over == 0 ? "met" : "met by the median; " + over + " of " + loadMillis.size() + " deploys took "
                    + "longer";
        }
        long within = loadMillis.size() - over;
        return within == 0 ? "missed" : "missed by the median; " + within + " of " + loadMillis.size()
                + " deploys were within";
    }

    private void syncTarget(String description, String system, boolean inTransaction) {
        Optional<AddedDelay> added = addedDelay(system, inTransaction);
        if (added.isEmpty()) {
            line("| " + description + " | not measured | – |");
            return;
        }
        AddedDelay a = added.get();
        String floor = inTransaction ? Format.micros(a.pubSubP50()) + " + " + Format.micros(a.transactionP50())
                : Format.micros(a.pubSubP50());
        line("| " + description + " | p50 " + Format.micros(a.p50()) + " against " + floor + " at " + a.rate()
                + " msg/s: "
                + Format.difference(a.added()) + " | " + (a.added() <= FIXED_DELAY_LIMIT_MICROS ? "met" : "missed")
                + " |");
    }

    /**
     * The median latency of a sync row and its floor: the pub/sub row's median, plus the transaction row's median
     * when the message is sent in a transaction (0 otherwise), all in microseconds, and the row's rate in messages
     * per second.
     */
    record AddedDelay(double p50, double pubSubP50, double transactionP50, long rate) {

        double added() {
            return p50 - pubSubP50 - transactionP50;
        }
    }

    private Optional<AddedDelay> addedDelay(String system, boolean inTransaction) {
        Optional<Results.HarnessRow> row = results.harness("sync", system, "latency");
        Optional<Results.HarnessRow> pubSub = results.harness("sync", "pubsub", "latency");
        Optional<Results.HarnessRow> transaction = results.harness("sync", "transaction", "latency");
        if (row.isEmpty() || pubSub.isEmpty() || (inTransaction && transaction.isEmpty())) {
            return Optional.empty();
        }
        double transactionP50 = inTransaction ? transaction.get().number("p50Micros") : 0;
        return Optional.of(new AddedDelay(row.get().number("p50Micros"), pubSub.get().number("p50Micros"),
                transactionP50, row.get().count("targetRate")));
    }

    private static String mebibytes(double kibibytes) {
        return kibibytes < 0 ? "–" : String.format(Locale.ROOT, "%.0f MiB", kibibytes / 1024);
    }

    private void pubSub() {
        line("## Pub/sub across nodes");
        line("");
        line("Node 0 publishes a payload with a send time and a 100-byte body; node 1 receives. Cohort publishes a "
                + "record (JSON, about 140 bytes, inside an envelope with id, source node and time) on its "
                + "Hazelcast adapter. The raw reliable topic gets 116 raw bytes and the ringbuffer, read batch and "
                + "overload policy of Cohort's topics, on a ringbuffer with the same partition owner as Cohort's. "
                + "Redisson publishes 116 raw bytes with Redis "
                + "`PUBLISH`, which keeps nothing for a late or disconnected subscriber.");
        line("");
        latencyTable("pubsub", List.of("cohort", "rawReliableTopic", "redissonTopic"));
        throughputTable("pubsub", "messages/s", List.of(
                harnessRow("Cohort pub/sub manager", "cohort", "rawReliableTopic", "raw reliable topic",
                        "redissonTopic", "Redisson"),
                harnessRow("raw reliable topic", "rawReliableTopic"),
                harnessRow("Redisson `RTopic`", "redissonTopic")));
        line("Throughput is one publishing thread on node 0 sending as fast as `publish` returns, counted at the "
                + "receiver on node 1.");
        line("");
        line("What this means for a plugin author: `publish` returns once the message is stored on its topic's "
                + "owner and backup; another node's handler then runs after the p50 shown above, on Cohort's "
                + "delivery thread, never on Hazelcast's. Cohort's extra work per message is the JSON encoding and "
                + "decoding, the envelope, and that hand-off between threads.");
        line("");
    }

    private void sync() {
        line("## Sync messages across nodes");
        line("");
        line("Node 0 sends with the sync message manager, with the payload of the pub/sub rows, and the handler on "
                + "node 1 receives. Sync messages travel on the same Hazelcast pub/sub adapter and cluster as pub/sub "
                + "messages, so Cohort's pub/sub manager runs beside them as the reference, taking turns in "
                + "segments. `syncImmediate` calls `publish(channel, message)`, which sends at once. "
                + "`syncAfterCommit` runs one transaction per message on node 0's database: an `UPDATE` of one row "
                + "and `publish` with `SyncOptions.afterCommit(transaction)`, so the message leaves in the commit "
                + "callback. `syncDurable` runs the same transaction with `SyncOptions.durable(transaction)`: the "
                + "message is written to the outbox table, and the commit wakes the outbox relay, which claims, "
                + "publishes and deletes the row. `transaction` is the same transaction without a message; it "
                + "arrives when its after-commit callback runs on node 0, so it is the floor the transaction sets. "
                + "The database is Cohort's own stack as the database bundle opens it (HikariCP pool of 10, "
                + "Cohort's transaction manager, outbox and relay with their default settings) on an H2 file in "
                + "the run's folder with the node's default `WRITE_DELAY=0`, without `AUTO_SERVER`, because only "
                + "this JVM opens it. The rows send at a lower rate than the pub/sub section, so that one thread "
                + "running a transaction per message keeps up on a loaded two-core machine: at 1,000 messages/s "
                + "and a load average of 10, it fell behind, and the rows measured its backlog instead of each "
                + "message.");
        line("");
        latencyTable("sync", List.of("pubsub", "syncImmediate", "syncAfterCommit", "syncDurable", "transaction"));

        line("| row | p50 | floor at p50 | added at p50 |");
        line("|---|---:|---:|---:|");
        addedDelayRow("sync message, immediate", "syncImmediate", false);
        addedDelayRow("sync message after commit", "syncAfterCommit", true);
        addedDelayRow("durable sync message", "syncDurable", true);
        line("");
        line("The floor is the pub/sub row's p50, plus the `transaction` row's p50 for the rows that send in a "
                + "transaction. A debounce or a fixed delay would add at least its own length to every message; "
                + "the target allows 1 ms.");
        line("");

        line("What this means for a plugin author: " + syncMeaning());
        line("");
    }

    private String syncMeaning() {
        Optional<AddedDelay> immediate = addedDelay("syncImmediate", false);
        Optional<AddedDelay> afterCommit = addedDelay("syncAfterCommit", true);
        if (immediate.isEmpty() || afterCommit.isEmpty()) {
            return "not measured in this run.";
        }
        boolean noFixedDelay = immediate.get().added() <= FIXED_DELAY_LIMIT_MICROS
                && afterCommit.get().added() <= FIXED_DELAY_LIMIT_MICROS;
        String verdict = noFixedDelay
                ? "a sync message reaches the other nodes' handlers as fast as a pub/sub message, with no debounce "
                        + "or timer in between. "
                : "in this run a sync message took more than 1 ms longer than its floor at the median; see the "
                        + "findings. ";
        return verdict + "Without a transaction, the median of `publish` differs from pub/sub's by "
                + Format.difference(immediate.get().added()) + ". With `SyncOptions.afterCommit`, it differs from "
                + "pub/sub plus the transaction by " + Format.difference(afterCommit.get().added()) + ". The "
                + "message leaves when the commit returns, so the time your transaction takes is the only wait. "
                + "A durable message (" + addedText("syncDurable", true) + " at the median) waits for the outbox "
                + "relay instead. The commit wakes the relay of its own node at once, which then needs a round of "
                + "database statements (claim, read, publish, delete) after any round already running. So the "
                + "extra time grows with the database's statement time, not with a timer. The relay's "
                + Format.micros(BenchDatabase.relayInterval().toMillis() * 1_000.0) + " interval "
                + "(`relay.interval.ms`) applies only to rows that no local commit announced, such as rows of a "
                + "node that died before its relay sent them.";
    }

    private void addedDelayRow(String label, String system, boolean inTransaction) {
        Optional<AddedDelay> added = addedDelay(system, inTransaction);
        if (added.isEmpty()) {
            line("| " + label + " | not measured | | |");
            return;
        }
        AddedDelay a = added.get();
        line("| " + label + " | " + Format.micros(a.p50()) + " | " + Format.micros(a.pubSubP50() + a.transactionP50())
                + " | " + Format.difference(a.added()) + " |");
    }

    private String addedText(String system, boolean inTransaction) {
        return addedDelay(system, inTransaction).map(a -> Format.difference(a.added())).orElse("(not measured)");
    }

    private void queue() {
        line("## Event queue, 3 nodes");
        line("");
        line("Node 0 publishes tasks (a send time and a 100-byte body); each of the three nodes runs one consumer "
                + "with one worker that records the start and returns. The raw queues have the same partition owner "
                + "as Cohort's queue of ready tasks. The raw `IQueue` consumers poll with no "
                + "delivery guarantee: a task taken by a node that dies is lost. The raw transactional row takes "
                + "as Cohort's Hazelcast adapter does, in a two-phase transaction that also records the task in an "
                + "in-flight map, which is what lets the others run it again when its node dies. Redisson uses a "
                + "Redis list (`RPUSH`, blocking pop), also without that guarantee.");
        line("");
        throughputTable("queue", "tasks/s", List.of(
                harnessRow("Cohort event queue", "cohort", "rawQueue", "raw IQueue", "rawTransactionalQueue",
                        "raw IQueue, transactional take"),
                harnessRow("raw `IQueue` offer/poll", "rawQueue"),
                harnessRow("raw `IQueue`, transactional take + in-flight map", "rawTransactionalQueue"),
                harnessRow("Redisson `RBlockingQueue`", "redissonQueue")));
        line("Publish-to-start latency:");
        line("");
        latencyTable("queue", List.of("cohort", "rawQueue", "rawTransactionalQueue", "redissonQueue"));
        line("What this means for a plugin author: a task starts on some node within the p50 shown above after "
                + "`publish` returns. With one worker per node and tasks that do nothing, the cluster runs at most "
                + "the throughput row's tasks per second. Each task costs Cohort a transaction to take it and "
                + "two map operations to complete it; that is the price of at-least-once delivery across node "
                + "failures.");
        line("");
    }

    private void locks() {
        line("## Locks: acquire and release");
        line("");
        line("Uncontended: one thread on node 0, cycling through 16 keys. Contended: three threads, one per node, "
                + "on one key; the rate counts the acquisitions of all three. In CP unsafe mode a lock lives on the "
                + "partition of its name, so each raw lock name was picked to have the same partition owner as the "
                + "Cohort key beside it. Cohort acquires with a 30-second lease "
                + "(`acquire(key, ttl)` then `release()`); Redisson with `lock(30, SECONDS)`, which lets Redis "
                + "expire the key; the raw fenced lock has no lease.");
        line("");
        line("### uncontended");
        line("");
        jmhTable(List.of(
                row("Cohort, `memory` adapter (in process)", LOCK + "uncontended_cohortMemory",
                        cmp(LOCK + "uncontended_reentrantLock", "ReentrantLock")),
                row("Cohort, `hazelcast` adapter, CP unsafe", LOCK + "uncontended_cohortUnsafe",
                        cmp(LOCK + "uncontended_rawUnsafe", "raw FencedLock"),
                        cmp(LOCK + "uncontended_redisson", "Redisson")),
                row("Cohort, `hazelcast` adapter, 3 CP members", RAFT + "uncontended_cohortRaft",
                        cmp(RAFT + "uncontended_rawRaft", "raw FencedLock")),
                row("raw `FencedLock`, CP unsafe", LOCK + "uncontended_rawUnsafe"),
                row("raw `FencedLock`, 3 CP members", RAFT + "uncontended_rawRaft"),
                row("raw `FencedLock`, 3 CP members, `getLock` on every call", RAFT
                        + "uncontended_rawRaftProxyPerCall", cmp(RAFT + "uncontended_rawRaft", "raw FencedLock")),
                row("Redisson `RLock`", LOCK + "uncontended_redisson"),
                row("`ReentrantLock` (in process)", LOCK + "uncontended_reentrantLock")));
        line("### 3 nodes contended");
        line("");
        jmhTable(List.of(
                row("Cohort, CP unsafe", LOCK + "contended_cohortUnsafe",
                        cmp(LOCK + "contended_rawUnsafe", "raw FencedLock"),
                        cmp(LOCK + "contended_rawUnsafeTimed", "raw timed tryLock"),
                        cmp(LOCK + "contended_redisson", "Redisson")),
                row("Cohort, 3 CP members", RAFT + "contended_cohortRaft",
                        cmp(RAFT + "contended_rawRaft", "raw FencedLock")),
                row("raw `FencedLock`, CP unsafe", LOCK + "contended_rawUnsafe"),
                row("raw `FencedLock`, CP unsafe, `tryLockAndGetFence(500 ms)`", LOCK + "contended_rawUnsafeTimed",
                        cmp(LOCK + "contended_rawUnsafe", "raw FencedLock")),
                row("raw `FencedLock`, 3 CP members", RAFT + "contended_rawRaft"),
                row("Redisson `RLock`", LOCK + "contended_redisson")));
        line("What this means for a plugin author: an uncontended `acquire` and `release` (or `runExclusive`) on "
                + "the `hazelcast` adapter costs about " + perCall(LOCK + "uncontended_cohortUnsafe")
                + " in CP unsafe mode and " + perCall(RAFT + "uncontended_cohortRaft") + " with three CP members, on "
                + "top of the body. A lock "
                + "that three nodes fight over serves at most the contended rate in total. A request there waits "
                + "inside Hazelcast with a timeout, as the raw timed row does, so that a request that gives up "
                + "leaves no wait behind.");
        line("");
    }

    /** A table row of JMH results: a label, a benchmark and the baselines to compare with. */
    private record Row(String label, String benchmark, List<Comparison> comparisons) {
    }

    /** A baseline benchmark and its short name in the ratio column. */
    private record Comparison(String benchmark, String name) {
    }

    private static Row row(String label, String benchmark, Comparison... comparisons) {
        return new Row(label, benchmark, List.of(comparisons));
    }

    private static Comparison cmp(String benchmark, String name) {
        return new Comparison(benchmark, name);
    }

    private void jmhTable(List<Row> rows) {
        line("| implementation | calls/s (median) | spread (min–max) | time per call | ratio (range) |");
        line("|---|---:|---:|---:|---|");
        for (Row row : rows) {
            Optional<Results.JmhRow> measured = results.jmh(row.benchmark());
            if (measured.isEmpty()) {
                line("| " + row.label() + " | not measured | | | |");
                continue;
            }
            Stats stats = measured.get().stats();
            int threads = measured.get().threads();
            String perCall = threads == 1 ? Format.perCall(stats.median())
                    : Format.perCall(stats.median() / threads) + " per thread";
            List<String> ratios = new ArrayList<>();
            for (Comparison comparison : row.comparisons()) {
                results.jmh(comparison.benchmark()).ifPresent(baseline ->
                        ratios.add(Format.ratio(stats.over(baseline.stats())) + " of " + comparison.name()));
            }
            line("| " + row.label() + " | " + Format.rate(stats.median()) + " | " + Format.rate(stats.min()) + "–"
                    + Format.rate(stats.max()) + " | " + perCall + " | " + String.join("; ", ratios) + " |");
        }
        line("");
    }

    private void latencyTable(String section, List<String> systems) {
        line("| system | rate | p50 | p99 | p99.9 | max | arrived |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        for (String system : systems) {
            Optional<Results.HarnessRow> row = results.harness(section, system, "latency");
            if (row.isEmpty()) {
                line("| " + system + " | not measured | | | | | |");
                continue;
            }
            Results.HarnessRow r = row.get();
            line("| " + system + " | " + r.count("targetRate") + "/s | " + Format.micros(r.number("p50Micros"))
                    + " | " + Format.micros(r.number("p99Micros")) + " | " + Format.micros(r.number("p999Micros"))
                    + " | " + Format.micros(r.number("maxMicros")) + " | " + r.count("received") + " of "
                    + r.count("sent") + " |");
        }
        line("");
    }

    /** A harness throughput row: a label, a system, and pairs of baseline system and baseline name. */
    private record HarnessTableRow(String label, String system, List<String> baselines) {
    }

    private static HarnessTableRow harnessRow(String label, String system, String... baselinePairs) {
        return new HarnessTableRow(label, system, List.of(baselinePairs));
    }

    private void throughputTable(String section, String unit, List<HarnessTableRow> rows) {
        line("| implementation | " + unit + " (median) | spread (min–max) | arrived | ratio (range) |");
        line("|---|---:|---:|---:|---|");
        for (HarnessTableRow row : rows) {
            Optional<Results.HarnessRow> measured = results.harness(section, row.system(), "throughput");
            Optional<Stats> stats = measured.flatMap(Results.HarnessRow::rounds);
            if (stats.isEmpty()) {
                line("| " + row.label() + " | not measured | | | |");
                continue;
            }
            List<String> ratios = new ArrayList<>();
            for (int i = 0; i + 1 < row.baselines().size(); i += 2) {
                String name = row.baselines().get(i + 1);
                results.harness(section, row.baselines().get(i), "throughput").flatMap(Results.HarnessRow::rounds)
                        .ifPresent(baseline -> ratios.add(Format.ratio(stats.get().over(baseline)) + " of " + name));
            }
            Stats s = stats.get();
            line("| " + row.label() + " | " + Format.rate(s.median()) + " | " + Format.rate(s.min()) + "–"
                    + Format.rate(s.max()) + " | " + measured.get().count("received") + " of "
                    + measured.get().count("sent") + " | " + String.join("; ", ratios) + " |");
        }
        line("");
    }

    private Optional<Stats.Ratio> jmhRatio(String cohort, String baseline) {
        return results.jmh(cohort).flatMap(c -> results.jmh(baseline).map(b -> c.stats().over(b.stats())));
    }

    private Optional<Stats.Ratio> harnessRatio(String section, String cohort, String baseline) {
        return results.harness(section, cohort, "throughput").flatMap(Results.HarnessRow::rounds)
                .flatMap(c -> results.harness(section, baseline, "throughput").flatMap(Results.HarnessRow::rounds)
                        .map(c::over));
    }

    private void ratioTarget(String description, Optional<Stats.Ratio> ratio, double target) {
        if (ratio.isEmpty()) {
            line("| " + description + " | not measured | – |");
            return;
        }
        Stats.Ratio r = ratio.get();
        String verdict = r.value() >= target ? "met" : "missed";
        if (r.low() < target && r.high() >= target) {
            verdict += ", within spread";
        }
        line("| " + description + " | " + Format.ratio(r) + " | " + verdict + " |");
    }

    private String perCall(String benchmark) {
        return results.jmh(benchmark).map(row -> Format.perCall(row.stats().median())).orElse("(not measured)");
    }

    private static String number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? String.format(Locale.ROOT, "%.1f", value.asDouble()) : "unknown";
    }

    private void line(String text) {
        out.append(text).append('\n');
    }
}
