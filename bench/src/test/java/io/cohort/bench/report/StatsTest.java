package io.cohort.bench.report;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class StatsTest {

    private static final double EXACT = 0;

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void of_oddCount_medianIsMiddleValue() {
        Stats stats = Stats.of(List.of(5.0, 1.0, 3.0));

        assertEquals(3.0, stats.median(), EXACT);
        assertEquals(1.0, stats.min(), EXACT);
        assertEquals(5.0, stats.max(), EXACT);
        assertEquals(3, stats.count());
    }

    @Test
    public void of_evenCount_averagesMiddlePair() {
        Stats stats = Stats.of(List.of(4.0, 1.0, 2.0, 10.0));

        assertEquals(3.0, stats.median(), EXACT);
    }

    @Test
    public void of_noValues_throws() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(List.of()));
    }

    @Test
    public void over_baseline_rangeCombinesBothSpreads() {
        Stats cohort = Stats.of(List.of(80.0, 90.0, 100.0));
        Stats baseline = Stats.of(List.of(100.0, 100.0, 125.0));

        Stats.Ratio ratio = cohort.over(baseline);

        assertEquals(0.9, ratio.value(), 1e-9);
        assertEquals(0.64, ratio.low(), 1e-9);
        assertEquals(1.0, ratio.high(), 1e-9);
    }
}
