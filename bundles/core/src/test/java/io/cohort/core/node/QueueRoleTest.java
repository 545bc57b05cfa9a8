package io.cohort.core.node;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Parsing of {@code queue.consume}: the keywords, channel lists, and values that only look like a keyword. */
public class QueueRoleTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void parse_keywordsAndEmpty_allOrNone() {
        assertEquals(QueueRole.ALL, QueueRole.parse("all"));
        assertEquals(QueueRole.ALL, QueueRole.parse(" all "));
        assertEquals(QueueRole.NONE, QueueRole.parse("none"));
        assertEquals(QueueRole.NONE, QueueRole.parse(""));
    }

    @Test
    public void parse_keywordInOtherCase_rejected() {
        for (String value : List.of("ALL", "All", "NONE", "None")) {
            IllegalArgumentException e = assertThrows(value, IllegalArgumentException.class,
                    () -> QueueRole.parse(value));

            String keyword = value.toLowerCase();
            assertEquals("queue.consume '" + value + "' is invalid: '" + value + "' reads as the keyword " + keyword
                    + ", which counts only alone and in lower case; expected all (every channel), none, or a "
                    + "comma-separated list of channel names", e.getMessage());
        }
    }

    @Test
    public void parse_keywordInList_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QueueRole.parse("reports, all"));

        assertEquals("queue.consume 'reports, all' is invalid: 'all' reads as the keyword all, which counts only "
                + "alone and in lower case; expected all (every channel), none, or a comma-separated list of channel "
                + "names", e.getMessage());
    }

    @Test
    public void parse_star_rejectedAsPattern() {
        for (String value : List.of("*", "reports.*", "mail,*")) {
            IllegalArgumentException e = assertThrows(value, IllegalArgumentException.class,
                    () -> QueueRole.parse(value));

            assertEquals(e.getMessage(), 0, e.getMessage().indexOf("queue.consume '" + value + "' is invalid: '"));
            assertTrue(e.getMessage(), e.getMessage().endsWith("is a pattern, and channels are named one by "
                    + "one; expected all (every channel), none, or a comma-separated list of channel names"));
        }
    }

    @Test
    public void parse_channelsContainingKeyword_accepted() {
        QueueRole role = QueueRole.parse("all-reports,none.mail,ALLOCATIONS");

        assertEquals("ALLOCATIONS,all-reports,none.mail", role.describe());
    }
}
