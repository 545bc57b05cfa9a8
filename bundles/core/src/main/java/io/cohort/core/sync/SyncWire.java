package io.cohort.core.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The payload of a sync envelope: {@code {"channel":"<channel>","payload":<message JSON>}}. The channel travels
 * inside the payload because all channels of one plugin share one topic.
 */
final class SyncWire {

    private static final byte[] HEAD = "{\"channel\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MIDDLE = "\",\"payload\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TAIL = "}".getBytes(StandardCharsets.UTF_8);

    private SyncWire() {
    }

    /**
     * Wraps {@code payload} with its channel. The channel is copied without escaping, which is safe because
     * {@code Names.requireName} admits no quote, backslash or control character.
     */
    static byte[] encode(String channel, byte[] payload) {
        byte[] name = channel.getBytes(StandardCharsets.UTF_8);
        byte[] wire = new byte[HEAD.length + name.length + MIDDLE.length + payload.length + TAIL.length];
        int at = 0;
        for (byte[] part : new byte[][] {HEAD, name, MIDDLE, payload, TAIL}) {
            System.arraycopy(part, 0, wire, at, part.length);
            at += part.length;
        }
        return wire;
    }

    /**
     * Reads the channel and the message JSON back.
     *
     * @throws IOException if the bytes are not JSON of the form that {@link #encode} writes
     */
    static Decoded decode(ObjectMapper mapper, byte[] wire) throws IOException {
        JsonNode root = mapper.readTree(wire);
        JsonNode channel = root == null ? null : root.get("channel");
        JsonNode payload = root == null ? null : root.get("payload");
        if (channel == null || !channel.isTextual() || payload == null) {
            throw new IOException("expected a JSON object with a text field channel and a field payload");
        }
        return new Decoded(channel.asText(), mapper.writeValueAsBytes(payload));
    }

    /**
     * A sync payload read back.
     *
     * @param channel the channel the sender used
     * @param payload the message JSON
     */
    record Decoded(String channel, byte[] payload) {
    }
}
