package io.cohort.core.admin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import io.cohort.core.json.JsonCodec;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Reading the JSON text that an operator types. */
public class OperatorJsonTest {

    private static final String WHAT = "value for key 'k1' of cache 'users'";

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    private final JsonCodec codec = new JsonCodec();
    private final OperatorJson json = new OperatorJson(codec);

    @Test
    public void parse_object_returnsMapInFieldOrder() {
        Object value = json.parse(WHAT, "{\"name\":\"Ada\",\"age\":36}");

        assertEquals(Map.of("name", "Ada", "age", 36), value);
        assertEquals(List.of("name", "age"), List.copyOf(((Map<?, ?>) value).keySet()));
    }

    @Test
    public void parse_string_returnsStringWithoutQuotes() {
        assertEquals("hello", json.parse(WHAT, "\"hello\""));
    }

    @Test
    public void parse_scalars_returnJavaValues() {
        assertEquals(42, json.parse(WHAT, "42"));
        assertEquals(true, json.parse(WHAT, "true"));
        assertEquals(List.of(1, "a"), json.parse(WHAT, " [1, \"a\"] "));
    }

    @Test
    public void parse_decimal_keepsItsDigits() {
        Object value = json.parse(WHAT, "1.50");

        assertEquals(new BigDecimal("1.50"), value);
        assertEquals("1.50", codec.toText(codec.encode(WHAT, value)));
    }

    @Test
    public void parse_largeInteger_keepsItsDigits() {
        Object value = json.parse(WHAT, "123456789012345678901234567890");

        assertEquals(new BigInteger("123456789012345678901234567890"), value);
    }

    @Test
    public void parse_writtenBack_isTheSameJson() {
        String text = "{\"id\":7,\"tags\":[\"a\",\"b\"],\"price\":19.90,\"nested\":{\"ok\":false}}";

        String written = codec.toText(codec.encode(WHAT, json.parse(WHAT, text)));

        assertEquals(text, written);
    }

    @Test
    public void parse_bareWord_rejectedNamingValueAndQuotes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(WHAT, "hello"));

        assertTrue(e.getMessage(), e.getMessage().startsWith(WHAT + " 'hello' is not valid JSON: "));
        assertTrue(e.getMessage(), e.getMessage().contains("A JSON string needs double quotes"));
    }

    @Test
    public void parse_unclosedObject_rejectedOnOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> json.parse(WHAT, "{\n  \"name\": \"Ada\",\n"));

        assertTrue(e.getMessage(), e.getMessage().contains("'{ \"name\": \"Ada\",' is not valid JSON"));
        assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    }

    @Test
    public void parse_unclosedArray_omitsJacksonSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(WHAT, "[1,2"));

        assertTrue(e.getMessage(), e.getMessage().contains("(start marker at [line: 1, column: 1])"));
        assertFalse(e.getMessage(), e.getMessage().contains("Source"));
    }

    @Test
    public void parse_twoValues_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(WHAT, "1 2"));

        assertTrue(e.getMessage(), e.getMessage().contains("'1 2' is not valid JSON"));
    }

    @Test
    public void parse_repeatedField_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> json.parse(WHAT, "{\"a\":1,\"a\":2}"));

        assertTrue(e.getMessage(), e.getMessage().contains("is not valid JSON"));
        assertTrue(e.getMessage(), e.getMessage().contains("'a'"));
    }

    @Test
    public void parse_jsonNull_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(WHAT, "null"));

        assertEquals(WHAT + " is JSON null; expected a value that is not null", e.getMessage());
    }

    @Test
    public void parse_javaNull_rejectedAsJsonNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(WHAT, null));

        assertEquals(WHAT + " is JSON null; expected a value that is not null", e.getMessage());
    }

    @Test
    public void parse_blank_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(WHAT, "  "));

        assertTrue(e.getMessage(), e.getMessage().startsWith(WHAT + " is empty"));
    }

    @Test
    public void parse_longText_abbreviatedInMessage() {
        String text = "{\"data\":\"" + "x".repeat(500);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json.parse(WHAT, text));

        assertTrue(e.getMessage(), e.getMessage().length() < 400);
        assertTrue(e.getMessage(), e.getMessage().contains("...' is not valid JSON"));
    }
}
