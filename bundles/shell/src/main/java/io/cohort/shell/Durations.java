package io.cohort.shell;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators type and read them: ISO-8601 ({@code PT30S}, {@code PT1.5S}, {@code P1D}) or numbers with
 * units ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}, and combinations such as {@code 1h30m}).
 */
final class Durations {

    /** The accepted forms, for help texts and error messages. */
    static final String FORMS = "ISO-8601 such as PT30S, or whole numbers with units ms, s, m, h, d such as 500ms, "
            + "30s, 5m, 1h or 1h30m";

    private static final Pattern SIMPLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses a positive duration.
     *
     * @param what what the duration sets, for the message, for example {@code "ttl"}
     * @throws IllegalArgumentException naming the text and the accepted forms, if it is not a duration, is not
     *     positive or is too long for a {@link Duration}
     */
    static Duration parse(String what, String text) {
        return parse(what, text, null);
    }

    /**
     * Parses a positive duration of at most {@code max}.
     *
     * @param what what the duration sets, for the message, for example {@code "ttl"}
     * @param max the longest duration allowed, or {@code null} for no limit beyond the range of {@link Duration}
     * @throws IllegalArgumentException naming the text as typed and the allowed range or forms, if it is not a
     *     duration, is not positive or is longer than {@code max}
     */
    static Duration parse(String what, String text, Duration max) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is empty; expected " + FORMS);
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("-") && SIMPLE.matcher(trimmed.substring(1)).matches()) {
            throw notPositive(what, trimmed, max);
        }
        Duration duration;
        try {
            duration = isIso(trimmed) ? Duration.parse(trimmed) : parseSimple(what, trimmed);
        } catch (DateTimeParseException e) {
            throw invalid(what, trimmed);
        } catch (ArithmeticException e) {
            throw tooLong(what, trimmed, max);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw notPositive(what, trimmed, max);
        }
        if (max != null && duration.compareTo(max) > 0) {
            throw tooLong(what, trimmed, max);
        }
        return duration;
    }

    /**
     * Returns a short form for people: {@code 850ms}, {@code 29.5s}, {@code 5m}, {@code 1h 30m}, {@code 2d 3h}.
     * Below one minute it keeps tenths of a second, above it whole seconds. A negative duration prints as
     * {@code 0ms}, and one longer than {@link Long#MAX_VALUE} milliseconds (about 292 million years) as that
     * maximum.
     */
    static String format(Duration duration) {
        long millis = duration.getSeconds() >= Long.MAX_VALUE / 1_000 ? Long.MAX_VALUE
                : Math.max(0, duration.toMillis());
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            long tenths = millis / 100;
            return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
        }
        long seconds = millis / 1_000;
        StringBuilder text = new StringBuilder();
        appendUnit(text, seconds / 86_400, "d");
        appendUnit(text, seconds / 3_600 % 24, "h");
        appendUnit(text, seconds / 60 % 60, "m");
        appendUnit(text, seconds % 60, "s");
        return text.toString();
    }

    private static IllegalArgumentException notPositive(String what, String text, Duration max) {
        String limit = max == null ? "" : " and at most " + format(max);
        return new IllegalArgumentException(what + " '" + text + "' is not positive; expected a duration longer "
                + "than zero" + limit);
    }

    private static boolean isIso(String text) {
        char first = Character.toUpperCase(text.charAt(0));
        return first == 'P' || ((first == '-' || first == '+') && text.length() > 1
                && Character.toUpperCase(text.charAt(1)) == 'P');
    }

    private static Duration parseSimple(String what, String text) {
        if (!SIMPLE.matcher(text).matches()) {
            throw invalid(what, text);
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            long amount;
            try {
                amount = Long.parseLong(part.group(1));
            } catch (NumberFormatException e) {
                throw new ArithmeticException("amount too large");
            }
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
        }
        return total;
    }

    private static IllegalArgumentException tooLong(String what, String text, Duration max) {
        String allowed = max == null ? "a duration that fits in a Java Duration" : "at most " + format(max);
        return new IllegalArgumentException(what + " '" + abbreviate(text) + "' is too long; expected " + allowed);
    }

    private static IllegalArgumentException invalid(String what, String text) {
        return new IllegalArgumentException(what + " '" + abbreviate(text) + "' is not a duration; expected "
                + FORMS);
    }

    private static void appendUnit(StringBuilder text, long amount, String unit) {
        if (amount > 0) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(amount).append(unit);
        }
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }
}
