package io.cohort.bench.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.cohort.bench.fixture.BenchCluster;
import io.cohort.bench.fixture.RedisClients;
import io.cohort.jdbc.BenchDatabase;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rows that JMH does not fit: cross-node pub/sub and task queue latency and throughput, and the latency
 * of sync messages beside pub/sub.
 *
 * <p>The endpoints of a section take turns: each latency measurement and each throughput round is cut into
 * segments, and every endpoint runs its first segment before any runs its second. Load from other processes on a
 * shared machine then falls on all endpoints alike instead of on whichever one happened to run at that moment. Each
 * round starts with the next endpoint, so a pause that recurs once per round, such as a young collection, does not
 * always fall on the same one.
 *
 * <p>After the warm-ups, every endpoint sends for the warm-up time once more in an unrecorded round, in the order
 * of the recorded rounds, and one throughput round runs unrecorded too. Most compilations that the warm-ups start
 * then run during that round rather than in the first recorded segment.
 */
public final class Harness {

    private static final Logger LOG = LoggerFactory.getLogger(Harness.class);

    private Harness() {
    }

    /**
     * How long and how hard the harness drives each endpoint.
     *
     * @param pubSubRate pub/sub messages per second in the latency rows
     * @param queueRate tasks per second in the queue latency rows
     * @param warmup unrecorded sending at the row's rate before the first measurement
     * @param latencyDuration recorded sending per latency row, in {@code rounds} segments
     * @param pubSubItems messages per throughput round
     * @param queueItems tasks per throughput round
     * @param rounds recorded latency segments and throughput rounds; one unrecorded round of each comes first, whose
     *     latency segments last {@code warmup}
     * @param drainWait how long a segment waits for more arrivals before it counts the rest as lost
     * @param syncRate messages per second in the sync rows. It is low enough for one thread that runs a database
     *     transaction per message to keep up on a loaded two-core machine, so the rows measure messages, not a
     *     backlog
     * @param syncWarmup unrecorded sending per sync row; shorter than {@code warmup}, because the sync rows share
     *     the pub/sub path that the pub/sub rows have already warmed
     * @param syncLatencyDuration recorded sending per sync row, in {@code rounds} segments
     */
    public record Settings(int pubSubRate, int queueRate, Duration warmup, Duration latencyDuration, int pubSubItems,
            int queueItems, int rounds, Duration drainWait, int syncRate, Duration syncWarmup,
            Duration syncLatencyDuration) {

        /** Returns settings that took about 2.7 minutes for all rows in a quick run on two cores. */
        public static Settings quick() {
            return new Settings(1_000, 100, Duration.ofSeconds(2), Duration.ofSeconds(12), 4_000, 1_500, 3,
                    Duration.ofSeconds(5), 200, Duration.ofSeconds(1), Duration.ofSeconds(6));
        }

        /** Returns settings that take an estimated 15 minutes for all rows on two cores (not timed yet). */
        public static Settings full() {
            return new Settings(1_000, 100, Duration.ofSeconds(5), Duration.ofSeconds(60), 20_000, 5_000, 5,
                    Duration.ofSeconds(5), 200, Duration.ofSeconds(3), Duration.ofSeconds(30));
        }
    }

    /**
     * Runs the pub/sub rows; an endpoint that fails is logged and left out.
     *
     * @param samplesDirectory where each row's latency samples go, as {@code latency-pubsub-<system>.txt}
     */
    public static List<HarnessResult> pubSub(Settings settings, BenchCluster cluster, RedisClients redis,
            Path samplesDirectory) {
        return run("pubsub", PubSubEndpoints.all(cluster, redis), settings, settings.pubSubRate(), settings.warmup(),
                settings.latencyDuration(), settings.pubSubItems(), samplesDirectory);
    }

    /**
     * Runs the task queue rows; an endpoint that fails is logged and left out.
     *
     * @param samplesDirectory where each row's latency samples go, as {@code latency-queue-<system>.txt}
     */
    public static List<HarnessResult> queue(Settings settings, BenchCluster cluster, RedisClients redis,
            Path samplesDirectory) {
        return run("queue", QueueEndpoints.all(cluster, redis), settings, settings.queueRate(), settings.warmup(),
                settings.latencyDuration(), settings.queueItems(), samplesDirectory);
    }

    /**
     * Runs the sync message rows beside Cohort's pub/sub manager, latency only; an endpoint that fails is logged and
     * left out. The rows are the systems {@code pubsub}, {@code syncImmediate}, {@code syncAfterCommit},
     * {@code syncDurable} and {@code transaction} (the transaction alone, without a message).
     *
     * @param database the database of node 0's transactions and outbox
     * @param samplesDirectory where each row's latency samples go, as {@code latency-sync-<system>.txt}
     */
    public static List<HarnessResult> sync(Settings settings, BenchCluster cluster, BenchDatabase database,
            Path samplesDirectory) {
        return run("sync", SyncEndpoints.all(cluster, database), settings, settings.syncRate(),
                settings.syncWarmup(), settings.syncLatencyDuration(), 0, samplesDirectory);
    }

    /** Runs the latency segments and, unless {@code items} is 0, the throughput rounds of every endpoint. */
    private static List<HarnessResult> run(String section, List<Endpoint> endpoints, Settings settings, int rate,
            Duration warmup, Duration latencyDuration, int items, Path samplesDirectory) {
        Duration segment = latencyDuration.dividedBy(settings.rounds());
        int latencyCapacity = (int) (latencyDuration.toMillis() * rate / 1_000) + rate;
        List<LoadDriver> drivers = new ArrayList<>();
        List<HarnessResult> results = new ArrayList<>();
        StallMeter stalls = new StallMeter();
        try {
            for (Endpoint endpoint : endpoints) {
                LoadDriver driver = new LoadDriver(section, endpoint, settings.drainWait(), latencyCapacity,
                        samplesDirectory, stalls);
                if (attempt(driver, "start", driver::start)) {
                    drivers.add(driver);
                }
            }
            drivers.removeIf(driver -> !attempt(driver, "warm-up", () -> driver.warmUp(rate, warmup)));
            for (int round = 0; round <= settings.rounds(); round++) {
                boolean recorded = round > 0;
                List<LoadDriver> failed = new ArrayList<>();
                for (LoadDriver driver : rotated(drivers, round)) {
                    Step step = recorded ? () -> driver.measureLatency(rate, segment)
                            : () -> driver.warmUp(rate, warmup);
                    if (!attempt(driver, "latency", step)) {
                        failed.add(driver);
                    }
                }
                drivers.removeAll(failed);
            }
            for (int round = 0; items > 0 && round <= settings.rounds(); round++) {
                boolean recorded = round > 0;
                List<LoadDriver> failed = new ArrayList<>();
                for (LoadDriver driver : rotated(drivers, round)) {
                    if (!attempt(driver, "throughput", () -> driver.measureThroughput(items, recorded))) {
                        failed.add(driver);
                    }
                }
                drivers.removeAll(failed);
            }
            for (LoadDriver driver : drivers) {
                results.add(driver.latencyResult());
                if (items > 0) {
                    results.add(driver.throughputResult());
                }
            }
        } catch (IOException e) {
            LOG.error("{} latency samples could not be written", section, e);
        } finally {
            stalls.close();
            for (Endpoint endpoint : endpoints) {
                try {
                    endpoint.close();
                } catch (RuntimeException e) {
                    LOG.warn("{} endpoint {} did not close cleanly", section, endpoint.system(), e);
                }
            }
        }
        return results;
    }

    /**
     * Returns {@code list} starting at index {@code round} modulo its size, wrapping around, so that each round of a
     * section starts one endpoint later. In pub/sub runs on a two-core machine, young collections came about once
     * per round at the same point of it, and with a fixed order all of them paused the same endpoint's segments.
     */
    static <T> List<T> rotated(List<T> list, int round) {
        if (list.isEmpty()) {
            return list;
        }
        int start = round % list.size();
        List<T> result = new ArrayList<>(list.subList(start, list.size()));
        result.addAll(list.subList(0, start));
        return result;
    }

    /** Runs one step of a driver; returns false, after logging, if it failed, so the driver leaves the section. */
    private static boolean attempt(LoadDriver driver, String step, Step work) {
        try {
            work.run();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the " + step + " of " + driver.system(), e);
        } catch (Exception e) {
            LOG.error("{} of {} failed; its rows are left out of the results", step, driver.system(), e);
            return false;
        }
    }

    /** One step of a driver. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
