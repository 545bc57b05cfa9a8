package io.cohort.bench.harness;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class LatencySamplesTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void percentile_nearestRank_returnsRecordedSample() {
        long[] sorted = new long[1_000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }

        assertEquals(500, LatencySamples.percentile(sorted, 50));
        assertEquals(990, LatencySamples.percentile(sorted, 99));
        assertEquals(999, LatencySamples.percentile(sorted, 99.9));
        assertEquals(1_000, LatencySamples.percentile(sorted, 100));
    }

    @Test
    public void percentile_noSamples_returnsZero() {
        assertEquals(0, LatencySamples.percentile(new long[0], 99));
    }

    @Test
    public void record_pastCapacity_countsButKeepsFirst() {
        LatencySamples samples = new LatencySamples(2);

        samples.record(30);
        samples.record(10);
        samples.record(20);

        assertEquals(3, samples.count());
        assertArrayEquals(new long[] {10, 30}, samples.sorted());
    }

    @Test
    public void sortedFrom_laterSegment_returnsOnlyItsSamples() {
        LatencySamples samples = new LatencySamples(4);
        samples.record(50);
        samples.record(40);
        int segmentStart = samples.count();

        samples.record(30);
        samples.record(10);
        samples.record(20);

        assertArrayEquals(new long[] {10, 30}, samples.sortedFrom(segmentStart));
        assertArrayEquals(new long[0], samples.sortedFrom(samples.count()));
    }
}
