package io.cohort.bench.report;

import static org.junit.Assert.assertEquals;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class FormatTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void rate_keepsThreeSignificantDigits() {
        assertEquals("5,990", Format.rate(5_992.873));
        assertEquals("446,000", Format.rate(445_699.4));
        assertEquals("36.1 M", Format.rate(36_093_506.9));
        assertEquals("2 M", Format.rate(2_000_000));
    }

    @Test
    public void micros_picksTheUnit() {
        assertEquals("28 ns", Format.micros(0.0277));
        assertEquals("0", Format.micros(0));
        assertEquals("167 µs", Format.micros(166.87));
        assertEquals("1.23 ms", Format.micros(1_227.47));
        assertEquals("2.45 s", Format.micros(2_453_531));
    }

    @Test
    public void ratio_smallValues_keepTwoSignificantDigits() {
        assertEquals("0.94×", Format.ratio(0.9412));
        assertEquals("19×", Format.ratio(18.8));
        assertEquals("0.0026×", Format.ratio(0.002614));
    }

    @Test
    public void ratio_withRange_showsBounds() {
        assertEquals("0.90× (0.64–1.00)", Format.ratio(new Stats.Ratio(0.9, 0.64, 1.0)));
    }

    @Test
    public void difference_positiveAndNegative_carriesSign() {
        assertEquals("+28.9 µs", Format.difference(28.93));
        assertEquals("−1.2 ms", Format.difference(-1_200));
        assertEquals("+0", Format.difference(0));
    }
}
