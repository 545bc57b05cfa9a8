package io.cohort.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link Endpoint} from the calling thread in segments, so that {@link Harness} can interleave the
 * segments of several endpoints, and collects what the segments measured.
 *
 * <p>Latency: sends at a fixed rate and measures each item from its intended send time to its arrival. A send that
 * starts late, because the one before it took long, still counts from its intended time. So a stall shows in the
 * latency of every item it delayed, and the pause in sending does not hide it (no coordinated omission).
 *
 * <p>Throughput: sends a fixed number of items as fast as one thread can, and divides the items that arrived by the
 * time from the first send to the last arrival.
 *
 * <p>Every wait is bounded: items that have not arrived when nothing arrived for {@code drainWait} count as lost.
 */
final class LoadDriver {

    private static final Logger LOG = LoggerFactory.getLogger(LoadDriver.class);
    private static final long POLL_MILLIS = 5;

    private final String section;
    private final Endpoint endpoint;
    private final Duration drainWait;
    private final LatencySamples latencies;
    private final Path samplesDirectory;
    private final StallMeter stalls;
    private final List<Double> roundsPerSecond = new ArrayList<>();
    private volatile Probe probe = new Probe(null, Long.MAX_VALUE);
    private int latencyRate;
    private long latencySent;
    private long latencyReceived;
    private long throughputSent;
    private long throughputReceived;

    /**
     * @param latencyCapacity the most latency samples all segments together record
     * @param samplesDirectory where {@link #latencyResult()} writes the samples in arrival order, one number of
     *     microseconds per line, or {@code null} for nowhere
     * @param stalls the meter whose longest stall each latency segment logs beside its own p99
     */
    LoadDriver(String section, Endpoint endpoint, Duration drainWait, int latencyCapacity, Path samplesDirectory,
            StallMeter stalls) {
        this.section = section;
        this.endpoint = endpoint;
        this.drainWait = drainWait;
        this.latencies = new LatencySamples(latencyCapacity);
        this.samplesDirectory = samplesDirectory;
        this.stalls = stalls;
    }

    String system() {
        return endpoint.system();
    }

    /** Starts the endpoint's receiving side with this driver's arrival counter. */
    void start() throws Exception {
        endpoint.start(sentNanos -> probe.arrived(sentNanos));
    }

    /** Sends at {@code rate} items per second for {@code duration} without recording, and waits for them. */
    void warmUp(int rate, Duration duration) throws Exception {
        Probe warmup = new Probe(null, 0);
        probe = warmup;
        int items = itemsAt(rate, duration);
        paced(items, System.nanoTime(), periodNanos(rate));
        drain(warmup, items);
    }

    /**
     * Sends at {@code rate} items per second for {@code duration} and records the latency of each item. Logs the
     * segment's p99 beside the longest stall of the JVM during it and the bytes the JVM allocated per item, which
     * decide how often a young collection pauses the rows.
     */
    void measureLatency(int rate, Duration duration) throws Exception {
        int items = itemsAt(rate, duration);
        int firstSample = latencies.count();
        long allocatedBefore = allocatedBytes();
        stalls.takeLongestNanos();
        long first = System.nanoTime();
        Probe measured = new Probe(latencies, first);
        probe = measured;
        paced(items, first, periodNanos(rate));
        drain(measured, items);
        long longestStall = stalls.takeLongestNanos();
        long allocated = allocatedBytes() - allocatedBefore;

        long[] segment = latencies.sortedFrom(firstSample);
        LOG.info("{} {} latency segment: p50 {} us, p99 {} us, max {} us; longest stall of this JVM in it {} us; "
                + "the JVM allocated {} bytes per item", section, endpoint.system(),
                LatencySamples.percentile(segment, 50) / 1_000, LatencySamples.percentile(segment, 99) / 1_000,
                LatencySamples.percentile(segment, 100) / 1_000, longestStall / 1_000, allocated / Math.max(1, items));

        latencyRate = rate;
        latencySent += items;
        latencyReceived += measured.arrivals.get();
    }

    /** Sends {@code items} items as fast as possible and, if {@code recorded}, keeps the round's rate. */
    void measureThroughput(int items, boolean recorded) throws Exception {
        long start = System.nanoTime();
        Probe measured = new Probe(null, start);
        probe = measured;
        for (int i = 0; i < items; i++) {
            endpoint.send(System.nanoTime());
        }
        drain(measured, items);
        if (!recorded) {
            return;
        }

        long arrived = measured.arrivals.get();
        double seconds = (measured.lastArrivalNanos.get() - start) / 1e9;
        throughputSent += items;
        throughputReceived += arrived;
        roundsPerSecond.add(seconds > 0 ? arrived / seconds : 0);
    }

    HarnessResult latencyResult() throws IOException {
        if (samplesDirectory != null) {
            StringBuilder lines = new StringBuilder();
            for (long nanos : latencies.inArrivalOrder()) {
                lines.append(nanos / 1_000).append('\n');
            }
            Files.writeString(samplesDirectory.resolve("latency-" + section + "-" + endpoint.system() + ".txt"),
                    lines);
        }
        HarnessResult result = HarnessResult.latency(section, endpoint.system(), latencyRate, latencySent,
                latencyReceived, latencies.sorted());
        LOG.info("{} {} latency at {}/s: {} of {} arrived, p50 {} us, p99 {} us, p99.9 {} us", section,
                endpoint.system(), latencyRate, latencyReceived, latencySent, result.p50Micros(), result.p99Micros(),
                result.p999Micros());
        return result;
    }

    HarnessResult throughputResult() {
        LOG.info("{} {} throughput: {} items/s per round, {} of {} arrived", section, endpoint.system(),
                roundsPerSecond, throughputReceived, throughputSent);
        return HarnessResult.throughput(section, endpoint.system(), throughputSent, throughputReceived,
                roundsPerSecond);
    }

    /**
     * Returns the bytes that the live threads of this JVM allocated so far, or 0 if the JVM does not measure allocation
     * per thread.
     */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getTotalThreadAllocatedBytes();
        }
        return 0;
    }

    private static long periodNanos(int rate) {
        return TimeUnit.SECONDS.toNanos(1) / rate;
    }

    private static int itemsAt(int rate, Duration duration) {
        return (int) (duration.toNanos() / periodNanos(rate));
    }

    /** Sends {@code count} items at their intended times, {@code periodNanos} apart from {@code first} on. */
    private void paced(int count, long first, long periodNanos) throws Exception {
        long next = first;
        for (int i = 0; i < count; i++) {
            long now = System.nanoTime();
            while (now < next) {
                LockSupport.parkNanos(next - now);
                now = System.nanoTime();
            }
            endpoint.send(next);
            next += periodNanos;
        }
    }

    /** Waits until {@code expected} items arrived, or until no item arrived for {@code drainWait}. */
    private void drain(Probe measured, long expected) throws InterruptedException {
        long lastCount = -1;
        long quietSince = System.nanoTime();
        while (measured.arrivals.get() < expected) {
            long count = measured.arrivals.get();
            long now = System.nanoTime();
            if (count != lastCount) {
                lastCount = count;
                quietSince = now;
            } else if (now - quietSince > drainWait.toNanos()) {
                LOG.warn("{} {}: {} of {} items arrived; nothing more arrived within {}", section, endpoint.system(),
                        count, expected, drainWait);
                return;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Counts arrivals of items sent from {@code measureFrom} on, and records their latencies if it has samples.
     * Items sent earlier belong to an earlier segment and are ignored.
     */
    private static final class Probe {

        final LatencySamples samples;
        final long measureFrom;
        final AtomicLong arrivals = new AtomicLong();
        final AtomicLong lastArrivalNanos = new AtomicLong();

        Probe(LatencySamples samples, long measureFrom) {
            this.samples = samples;
            this.measureFrom = measureFrom;
        }

        void arrived(long sentNanos) {
            if (sentNanos < measureFrom) {
                return;
            }
            long now = System.nanoTime();
            if (samples != null) {
                samples.record(now - sentNanos);
            }
            arrivals.incrementAndGet();
            lastArrivalNanos.accumulateAndGet(now, Math::max);
        }
    }
}
