package io.cohort.core.memory;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Field edits on JSON objects kept as bytes, for the field updates of {@link MemoryCacheRegion}. */
final class JsonFields {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFields() {
    }

    /** Returns {@code json} read as an object, or {@code null} if it is valid JSON of another kind. */
    static ObjectNode readObject(byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            return node instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Returns the object <code>{"field": value}</code> as bytes. */
    static byte[] singleField(String field, byte[] value) {
        return with(MAPPER.createObjectNode(), field, value);
    }

    /** Sets {@code field} of {@code object} to the JSON {@code value} and returns the object as bytes. */
    static byte[] with(ObjectNode object, String field, byte[] value) {
        try {
            object.set(field, MAPPER.readTree(value));
            return MAPPER.writeValueAsBytes(object);
        } catch (IOException e) {
            throw new IllegalArgumentException("value of field '" + field + "' is not valid JSON: " + e.getMessage(),
                    e);
        }
    }

    /** Returns {@code object} as bytes. */
    static byte[] write(ObjectNode object) {
        try {
            return MAPPER.writeValueAsBytes(object);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON object could not be written: " + e.getMessage(), e);
        }
    }
}
