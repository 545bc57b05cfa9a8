package io.cohort.bench.report;

import java.util.Locale;

/** Number formats of the report: three significant digits, so that no number claims more precision than it has. */
final class Format {

    private Format() {
    }

    /** Formats a rate, for example {@code 5,990}, {@code 446,000} or {@code 36.1 M}. */
    static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return trim(String.format(Locale.ROOT, "%.3g", perSecond / 1e6)) + " M";
        }
        return String.format(Locale.ROOT, "%,d", Math.round(significant(perSecond)));
    }

    /**
     * Formats a duration given in microseconds, for example {@code 28 ns}, {@code 167 µs}, {@code 1.23 ms} or
     * {@code 2.45 s}.
     */
    static String micros(double micros) {
        if (micros == 0) {
            // A zero of any unit: the whole milliseconds of the hot deploy rows would read "0 ns" otherwise.
            return "0";
        }
        if (micros < 1) {
            return String.format(Locale.ROOT, "%d ns", Math.round(significant(micros * 1_000)));
        }
        if (micros < 1_000) {
            return trim(String.format(Locale.ROOT, "%.3g", micros)) + " µs";
        }
        if (micros < 1_000_000) {
            return trim(String.format(Locale.ROOT, "%.3g", micros / 1_000)) + " ms";
        }
        return trim(String.format(Locale.ROOT, "%.3g", micros / 1_000_000)) + " s";
    }

    /** Formats a signed difference of two durations in microseconds, for example {@code +91 µs} or {@code −1.2 ms}. */
    static String difference(double micros) {
        return (micros < 0 ? "−" : "+") + micros(Math.abs(micros));
    }

    /** Formats the time one call takes at {@code perSecond} calls per second from one thread. */
    static String perCall(double perSecond) {
        return perSecond <= 0 ? "–" : micros(1e6 / perSecond);
    }

    /** Formats a ratio, for example {@code 0.94×}, {@code 19×} or {@code 0.0026×}. */
    static String ratio(double ratio) {
        if (ratio >= 10) {
            return String.format(Locale.ROOT, "%.0f×", ratio);
        }
        if (ratio >= 0.1 || ratio == 0) {
            return String.format(Locale.ROOT, "%.2f×", ratio);
        }
        return trim(String.format(Locale.ROOT, "%.2g", ratio)) + "×";
    }

    /** Formats a ratio with the range its spreads allow, for example {@code 0.94× (0.71–1.20)}. */
    static String ratio(Stats.Ratio ratio) {
        return ratio(ratio.value()) + " (" + ratio(ratio.low()).replace("×", "") + "–"
                + ratio(ratio.high()).replace("×", "") + ")";
    }

    /** Rounds to three significant digits. */
    private static double significant(double value) {
        if (value == 0) {
            return 0;
        }
        double scale = Math.pow(10, Math.floor(Math.log10(Math.abs(value))) - 2);
        return Math.round(value / scale) * scale;
    }

    /** Drops a trailing {@code .0} or {@code .00} that {@code %g} keeps. */
    private static String trim(String number) {
        return number.contains(".") ? number.replaceAll("\\.?0+$", "") : number;
    }
}
