package io.cohort.core.json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Writes payloads and cached values as JSON and reads them back as the type the caller names.
 *
 * <p>The caller's {@link Class} carries the caller bundle's class loader, so a record private to a plugin bundle is
 * read without any class loader lookups by name. Thread safe; one instance serves the whole node.
 */
public final class JsonCodec {

    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Writes {@code value} as JSON bytes.
     *
     * @param what what the value is, for the message, for example {@code "payload on channel orders"}
     * @throws IllegalArgumentException if the value is null or Jackson cannot write it
     */
    public byte[] encode(String what, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is null; expected a value Jackson can write as JSON");
        }
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " of type " + value.getClass().getName()
                    + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads JSON bytes as {@code type}.
     *
     * @param what what the value is, for the message, for example {@code "cache users key 42"}
     * @throws IllegalStateException if the bytes cannot be read as {@code type}; the message names the type and its
     *     bundle's class loader
     */
    public <T> T decode(String what, byte[] json, Class<T> type) {
        if (type == null) {
            throw new IllegalArgumentException("type is null; expected the class to read " + what + " as");
        }
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalStateException(what + " cannot be read as " + type.getName() + " (loaded by "
                    + type.getClassLoader() + "): " + e.getMessage(), e);
        }
    }

    /** Returns the JSON bytes as text, for logs, dead letters and the shell. */
    public String toText(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }

    /** Returns the shared mapper, for code that needs trees or custom types. Do not reconfigure it. */
    public ObjectMapper mapper() {
        return mapper;
    }
}
