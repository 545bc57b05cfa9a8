package io.cohort.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The median and the range of a set of measurements, for example the per-iteration scores of one JMH benchmark or
 * the per-round rates of one harness row.
 */
record Stats(double median, double min, double max, int count) {

    /**
     * Returns the statistics of {@code values}.
     *
     * @throws IllegalArgumentException if there are no values
     */
    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values; expected at least one measurement");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int size = sorted.size();
        double median = size % 2 == 1 ? sorted.get(size / 2) : (sorted.get(size / 2 - 1) + sorted.get(size / 2)) / 2;
        return new Stats(median, sorted.get(0), sorted.get(size - 1), size);
    }

    /**
     * Returns the ratio of this median to {@code baseline}'s, with the widest range the two spreads allow: this
     * minimum over the baseline's maximum, up to this maximum over the baseline's minimum.
     */
    Ratio over(Stats baseline) {
        return new Ratio(median / baseline.median, min / baseline.max, max / baseline.min);
    }

    /** A ratio of medians and the range that the spreads of the two measurements allow. */
    record Ratio(double value, double low, double high) {
    }
}
