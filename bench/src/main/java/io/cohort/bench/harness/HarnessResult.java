package io.cohort.bench.harness;

import java.util.List;

/**
 * One row of the load harness, written to {@code harness.json}.
 *
 * @param section {@code pubsub}, {@code sync} or {@code queue}
 * @param system the implementation measured, for example {@code cohort} or {@code rawReliableTopic}
 * @param metric {@code latency} or {@code throughput}
 * @param targetRate the publish rate of a latency row in messages per second; 0 for a throughput row
 * @param sent messages or tasks published in the measured part
 * @param received messages or tasks received (pub/sub) or started (queue) in the measured part
 * @param p50Micros median latency in microseconds (latency rows)
 * @param p99Micros 99th percentile latency in microseconds (latency rows)
 * @param p999Micros 99.9th percentile latency in microseconds (latency rows)
 * @param maxMicros largest latency in microseconds (latency rows)
 * @param roundsPerSecond items per second of each measured round (throughput rows)
 */
public record HarnessResult(String section, String system, String metric, int targetRate, long sent, long received,
        double p50Micros, double p99Micros, double p999Micros, double maxMicros, List<Double> roundsPerSecond) {

    static HarnessResult latency(String section, String system, int targetRate, long sent, long received,
            long[] sortedNanos) {
        return new HarnessResult(section, system, "latency", targetRate, sent, received,
                micros(LatencySamples.percentile(sortedNanos, 50)), micros(LatencySamples.percentile(sortedNanos, 99)),
                micros(LatencySamples.percentile(sortedNanos, 99.9)),
                micros(sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1]), List.of());
    }

    static HarnessResult throughput(String section, String system, long sent, long received, List<Double> rounds) {
        return new HarnessResult(section, system, "throughput", 0, sent, received, 0, 0, 0, 0, List.copyOf(rounds));
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }
}
