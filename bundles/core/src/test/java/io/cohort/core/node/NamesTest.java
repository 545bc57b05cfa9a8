package io.cohort.core.node;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.regex.Pattern;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class NamesTest {

    /** The rule as the docs state it, kept here to compare the character loop against. */
    private static final Pattern DOCUMENTED_RULE = Pattern.compile("[A-Za-z0-9._:/-]+");

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Test
    public void requireName_everyCharacter_matchesDocumentedRule() {
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            String value = "a" + c;
            boolean expected = DOCUMENTED_RULE.matcher(value).matches();

            boolean accepted = isAccepted(value);

            assertEquals("character U+" + Integer.toHexString(c), expected, accepted);
        }
    }

    @Test
    public void requireName_validName_returnsIt() {
        String name = "Orders.v2_eu-west:shard/7";

        assertEquals(name, Names.requireName("channel", name));
    }

    @Test
    public void requireName_lazyKindValid_kindNotBuilt() {
        String name = "orders";

        assertEquals(name, Names.requireName(() -> {
            throw new AssertionError("the kind was built for a valid name");
        }, name));
    }

    @Test
    public void requireName_lazyKindInvalid_namesKindAndRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Names.requireName(() -> "cache 'users' key", "a b"));

        assertEquals("cache 'users' key 'a b' contains characters outside " + Names.NAME_CHARACTERS, e.getMessage());
    }

    @Test
    public void requireName_badCharacter_namesValueAndRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Names.requireName("cache key", "a b"));

        assertEquals("cache key 'a b' contains characters outside A-Z a-z 0-9 . _ - : /", e.getMessage());
    }

    @Test
    public void requireName_empty_namesLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Names.requireName("lock key", ""));

        assertEquals("lock key '' has 0 characters; expected 1 to 200", e.getMessage());
    }

    @Test
    public void requireName_overLong_namesLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Names.requireName("channel", "c".repeat(201)));

        assertEquals("channel '" + "c".repeat(57) + "...' has 201 characters; expected 1 to 200", e.getMessage());
    }

    @Test
    public void requireName_null_namesKind() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Names.requireName("channel", null));

        assertEquals("channel is null; expected 1 to 200 characters from A-Z a-z 0-9 . _ - : /", e.getMessage());
    }

    private static boolean isAccepted(String value) {
        try {
            Names.requireName("key", value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
