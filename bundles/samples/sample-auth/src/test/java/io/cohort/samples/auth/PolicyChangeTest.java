package io.cohort.samples.auth;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.Test;

public class PolicyChangeTest {

    @Test(timeout = 5_000)
    public void parse_allSettings_readsEachValue() {
        PolicyChange change = PolicyChange.parse(List.of("token-ttl-minutes=30", "max-failed-logins=3",
                "require-mfa=TRUE"));

        assertEquals(Integer.valueOf(30), change.tokenTtlMinutes());
        assertEquals(Integer.valueOf(3), change.maxFailedLogins());
        assertEquals(Boolean.TRUE, change.requireMfa());
    }

    @Test(timeout = 5_000)
    public void parse_oneSetting_leavesOthersUnset() {
        PolicyChange change = PolicyChange.parse(List.of("require-mfa=false"));

        assertNull(change.tokenTtlMinutes());
        assertNull(change.maxFailedLogins());
        assertEquals(Boolean.FALSE, change.requireMfa());
    }

    @Test(timeout = 5_000)
    public void parse_invalidInput_rejectsNamingTheValue() {
        String[][] cases = {
            {"token-ttl-minutes=0", "'0'"},
            {"token-ttl-minutes=10081", "'10081'"},
            {"max-failed-logins=many", "'many'"},
            {"require-mfa=yes", "'yes'"},
            {"colour=blue", "'colour'"},
            {"=5", "'=5'"},
            {"token-ttl-minutes", "'token-ttl-minutes'"},
        };
        for (String[] testCase : cases) {
            IllegalArgumentException error = assertThrows(testCase[0], IllegalArgumentException.class,
                    () -> PolicyChange.parse(List.of(testCase[0])));
            assertTrue(testCase[0] + " -> " + error.getMessage(), error.getMessage().contains(testCase[1]));
        }
    }

    @Test(timeout = 5_000)
    public void parse_repeatedSetting_rejects() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PolicyChange.parse(List.of("require-mfa=true", "require-mfa=false")));

        assertTrue(error.getMessage(), error.getMessage().contains("twice"));
    }

    @Test(timeout = 5_000)
    public void parse_noSetting_rejects() {
        assertThrows(IllegalArgumentException.class, () -> PolicyChange.parse(List.of()));
    }

    @Test(timeout = 5_000)
    public void next_partialChange_keepsOtherSettingsAndBumpsVersion() {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");

        TokenPolicy next = TokenPolicy.DEFAULT.next(PolicyChange.parse(List.of("max-failed-logins=9")), "n2", now);

        assertEquals(TokenPolicy.DEFAULT.tokenTtlMinutes(), next.tokenTtlMinutes());
        assertEquals(9, next.maxFailedLogins());
        assertEquals(TokenPolicy.DEFAULT.requireMfa(), next.requireMfa());
        assertEquals(TokenPolicy.DEFAULT.version() + 1, next.version());
        assertEquals("n2", next.updatedBy());
        assertEquals(now, next.updatedAt());
    }

    @Test(timeout = 5_000)
    public void describe_policy_listsSettingsUnderTheirCommandNames() {
        String text = TokenPolicy.DEFAULT.describe();

        assertTrue(text, text.startsWith("Token policy version 1,"));
        assertTrue(text, text.contains("token-ttl-minutes:   60"));
        assertTrue(text, text.contains("max-failed-logins:   5"));
        assertTrue(text, text.contains("require-mfa:         false"));
    }
}
