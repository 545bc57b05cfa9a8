package io.cohort.core.admin;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;

import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.Names;

/**
 * Reads the JSON text that an operator types into the plain Java value that the managers store: a map, a list, a
 * string, a number or a boolean. The managers write that value back as the same JSON, so a plugin reads it as its
 * own type.
 *
 * <p>Numbers keep their digits: integers become {@code Integer}, {@code Long} or {@code BigInteger}, and decimals
 * become {@code BigDecimal}, so {@code 1.50} is stored as {@code 1.50} and not as a rounded double. The text must be
 * exactly one JSON value, and objects may not repeat a field name.
 */
final class OperatorJson {

    private final JsonCodec codec;
    /** The reader, built at the first parse, so that creating this class loads no Jackson class. */
    private volatile ObjectReader reader;

    OperatorJson(JsonCodec codec) {
        this.codec = codec;
    }

    /**
     * Parses {@code json}.
     *
     * @param what what the value is, for the message, for example {@code "value for key 'k1' of cache 'users'"}
     * @param json the text; {@code null} counts as JSON {@code null}
     * @return the value, never null
     * @throws IllegalArgumentException with a one-line message naming the text, if it is blank, is not one JSON
     *     value, or is JSON {@code null}
     */
    Object parse(String what, String json) {
        if (json == null) {
            // Gogo passes the bare word null as a Java null, so it means JSON null here.
            throw jsonNull(what);
        }
        if (json.isBlank()) {
            throw new IllegalArgumentException(what + " is empty; expected a JSON value such as "
                    + "'{\"id\":1}', '\"text\"' or 42");
        }
        Object value;
        try {
            value = reader().readValue(json);
        } catch (JsonProcessingException e) {
            String problem = withoutSource(oneLine(e.getOriginalMessage()));
            throw new IllegalArgumentException(what + " " + quote(json) + " is not valid JSON: " + problem
                    + ". A JSON string needs double quotes, for example '\"text\"'", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + quote(json) + " cannot be read: " + oneLine(e.toString()),
                    e);
        }
        if (value == null) {
            throw jsonNull(what);
        }
        return value;
    }

    /** Returns the reader; two threads that build it at once build equal readers, and either one is kept. */
    private ObjectReader reader() {
        ObjectReader current = reader;
        if (current == null) {
            current = codec.mapper().readerFor(Object.class)
                    .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            reader = current;
        }
        return current;
    }

    private static IllegalArgumentException jsonNull(String what) {
        return new IllegalArgumentException(what + " is JSON null; expected a value that is not null");
    }

    /** Returns {@code text} in single quotes on one line, shortened when long. */
    static String quote(String text) {
        return "'" + Names.abbreviate(oneLine(text)) + "'";
    }

    /**
     * Drops the source description that Jackson puts into a nested location, such as the start of an unclosed
     * array: {@code [Source: REDACTED (...) ; line: 1, column: 1]} becomes {@code [line: 1, column: 1]}.
     */
    static String withoutSource(String message) {
        return message.replaceAll("\\[Source: .*?; line:", "[line:");
    }

    /** Returns {@code text} with every run of whitespace, line breaks included, replaced by one space. */
    static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s+", " ");
    }
}
