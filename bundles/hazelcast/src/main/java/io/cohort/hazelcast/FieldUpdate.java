package io.cohort.hazelcast;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

import io.cohort.api.spi.FieldChange;

/**
 * Sets or removes one field of the JSON object in a cache entry, on the member that owns the key. Hazelcast runs an
 * entry processor under the key's partition lock, so two updates of the same key never interleave and neither is
 * lost. An update of a present entry keeps its header and its grid expiry. A value without the header of this
 * version counts as not an object, and is left as it is.
 *
 * <p>The caller's clock decides whether the entry has expired and when a new one expires, so the backup replica,
 * which runs the same processor, reaches the same result.
 */
final class FieldUpdate implements EntryProcessor<String, byte[], Integer> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String field;
    private final byte[] value;
    private final long now;
    private final long ttlMillisIfAbsent;

    private FieldUpdate(String field, byte[] value, long now, long ttlMillisIfAbsent) {
        this.field = field;
        this.value = value;
        this.now = now;
        this.ttlMillisIfAbsent = ttlMillisIfAbsent;
    }

    /** Returns the update that sets {@code field} to the JSON {@code value}. */
    static FieldUpdate put(String field, byte[] value, long ttlMillisIfAbsent) {
        return new FieldUpdate(field, value, System.currentTimeMillis(), ttlMillisIfAbsent);
    }

    /** Returns the update that removes {@code field}. */
    static FieldUpdate remove(String field) {
        return new FieldUpdate(field, null, System.currentTimeMillis(), 0);
    }

    /** Returns the outcome of a processor result. */
    static FieldChange change(Integer result) {
        return FieldChange.values()[result];
    }

    @Override
    public Integer process(Map.Entry<String, byte[]> entry) {
        byte[] stored = entry.getValue();
        ExtendedMapEntry<String, byte[]> extended = (ExtendedMapEntry<String, byte[]>) entry;
        if (!HazelcastCacheRegion.isUnexpired(stored, now)) {
            if (value == null) {
                return FieldChange.UNCHANGED.ordinal();
            }
            ObjectNode object = MAPPER.createObjectNode().set(field, readTree(value));
            extended.setValue(HazelcastCacheRegion.wrapAt(write(object), expiresAt()),
                    HazelcastCacheRegion.gridTtlMillis(ttlMillisIfAbsent), TimeUnit.MILLISECONDS);
            return FieldChange.CHANGED.ordinal();
        }

        if (!HazelcastCacheRegion.isKnownFormat(stored)) {
            return FieldChange.NOT_AN_OBJECT.ordinal();
        }
        ObjectNode object = readObject(HazelcastCacheRegion.payload(stored));
        if (object == null) {
            return FieldChange.NOT_AN_OBJECT.ordinal();
        }
        if (value == null) {
            if (object.remove(field) == null) {
                return FieldChange.UNCHANGED.ordinal();
            }
        } else {
            object.set(field, readTree(value));
        }
        extended.setValueWithoutChangingExpiryTime(HazelcastCacheRegion.wrapAt(write(object),
                HazelcastCacheRegion.expiresAt(stored)));
        return FieldChange.CHANGED.ordinal();
    }

    private long expiresAt() {
        return ttlMillisIfAbsent == 0 ? 0 : now + ttlMillisIfAbsent;
    }

    private static ObjectNode readObject(byte[] json) {
        try {
            return MAPPER.readTree(json) instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("field value is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON object could not be written: " + e.getMessage(), e);
        }
    }
}
