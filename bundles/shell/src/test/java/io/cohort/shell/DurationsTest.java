package io.cohort.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Parsing and printing durations as operators type and read them. */
public class DurationsTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    @Test
    public void parse_simpleUnits_returnDuration() {
        assertEquals(Duration.ofMillis(500), Durations.parse("ttl", "500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("ttl", "30s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("ttl", "5m"));
        assertEquals(Duration.ofHours(1), Durations.parse("ttl", "1h"));
        assertEquals(Duration.ofDays(2), Durations.parse("ttl", "2d"));
    }

    @Test
    public void parse_combinedUnits_addUp() {
        assertEquals(Duration.ofMinutes(90), Durations.parse("ttl", "1h30m"));
        assertEquals(Duration.ofMillis(1_250), Durations.parse("ttl", "1s250ms"));
    }

    @Test
    public void parse_iso_returnDuration() {
        assertEquals(Duration.ofSeconds(30), Durations.parse("ttl", "PT30S"));
        assertEquals(Duration.ofMillis(1_500), Durations.parse("ttl", "pt1.5s"));
        assertEquals(Duration.ofDays(1), Durations.parse("ttl", "P1D"));
    }

    @Test
    public void parse_surroundingSpace_ignored() {
        assertEquals(Duration.ofSeconds(30), Durations.parse("ttl", " 30s "));
    }

    @Test
    public void parse_unknownUnit_rejectedNamingValueAndForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("ttl", "30x"));

        assertEquals("ttl '30x' is not a duration; expected " + Durations.FORMS, e.getMessage());
    }

    @Test
    public void parse_invalidForms_rejected() {
        for (String text : new String[] {"30", "s", "1.5s", "-5", "30 s", "5M", "PT", "P1X", "thirty"}) {
            IllegalArgumentException e = assertThrows(text, IllegalArgumentException.class,
                    () -> Durations.parse("--timeout", text));
            assertTrue(e.getMessage(), e.getMessage().startsWith("--timeout '" + text + "' is not a duration"));
        }
    }

    @Test
    public void parse_zero_rejectedAsNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("ttl", "0s"));

        assertEquals("ttl '0s' is not positive; expected a duration longer than zero", e.getMessage());
    }

    @Test
    public void parse_negativeIso_rejectedAsNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("ttl", "PT-5S"));

        assertTrue(e.getMessage(), e.getMessage().contains("is not positive"));
    }

    @Test
    public void parse_negativeWithUnits_rejectedAsNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("--timeout", " -1m30s ", Duration.ofHours(1)));

        assertEquals("--timeout '-1m30s' is not positive; expected a duration longer than zero and at most 1h",
                e.getMessage());
    }

    @Test
    public void parse_overflow_rejectedAsTooLong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("ttl", "99999999999999999999d"));

        assertEquals("ttl '99999999999999999999d' is too long; expected a duration that fits in a Java Duration",
                e.getMessage());
    }

    @Test
    public void parse_aboveMax_namesTypedTextAndMax() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("ttl", "99999999999d", Duration.ofDays(3650)));

        assertEquals("ttl '99999999999d' is too long; expected at most 3650d", e.getMessage());
    }

    @Test
    public void parse_overflowWithMax_namesMax() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("ttl", "99999999999999999999d", Duration.ofDays(3650)));

        assertEquals("ttl '99999999999999999999d' is too long; expected at most 3650d", e.getMessage());
    }

    @Test
    public void parse_zeroWithMax_namesRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("ttl", "0s", Duration.ofDays(3650)));

        assertEquals("ttl '0s' is not positive; expected a duration longer than zero and at most 3650d",
                e.getMessage());
    }

    @Test
    public void parse_exactlyMax_accepted() {
        assertEquals(Duration.ofDays(3650), Durations.parse("ttl", "3650d", Duration.ofDays(3650)));
    }

    @Test
    public void parse_empty_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("ttl", ""));

        assertEquals("ttl is empty; expected " + Durations.FORMS, e.getMessage());
    }

    @Test
    public void format_durations_shortestReadableForm() {
        assertEquals("0ms", Durations.format(Duration.ZERO));
        assertEquals("850ms", Durations.format(Duration.ofMillis(850)));
        assertEquals("1s", Durations.format(Duration.ofSeconds(1)));
        assertEquals("29.5s", Durations.format(Duration.ofMillis(29_512)));
        assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
        assertEquals("1m 30s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("1h 30m", Durations.format(Duration.ofMinutes(90)));
        assertEquals("2d 3h", Durations.format(Duration.ofHours(51)));
        assertEquals("1h 5s", Durations.format(Duration.ofSeconds(3_605)));
    }

    @Test
    public void format_beyondMillisRange_saturates() {
        assertEquals("106751991167d 7h 12m 55s", Durations.format(Duration.ofHours(9_999_999_999_999L)));
    }

    @Test
    public void format_negative_printsZero() {
        assertEquals("0ms", Durations.format(Duration.ofSeconds(-3)));
    }

    @Test
    public void format_thenParse_roundTripsWithoutSpaces() {
        Duration duration = Duration.ofSeconds(5_430);

        assertEquals(duration, Durations.parse("ttl", Durations.format(duration).replace(" ", "")));
    }
}
