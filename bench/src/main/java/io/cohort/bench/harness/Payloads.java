package io.cohort.bench.harness;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** The items the harness sends: a send time and a 100-byte body, as a record for Cohort and as bytes for the rest. */
public final class Payloads {

    /** Size of the body of every item, in bytes (ASCII characters for the records). */
    static final int BODY_BYTES = 100;

    /** The body of the Cohort records. */
    static final String BODY_TEXT = "b".repeat(BODY_BYTES);

    private Payloads() {
    }

    /** A pub/sub message or task payload for Cohort, written as JSON by the managers. */
    public record Stamped(long sentNanos, String body) {
    }

    /** Returns an item of raw bytes: the send time, a sequence number, then the body. */
    static byte[] bytes(long sentNanos, long sequence) {
        byte[] body = new byte[BODY_BYTES];
        Arrays.fill(body, (byte) 'b');
        return ByteBuffer.allocate(2 * Long.BYTES + BODY_BYTES).putLong(sentNanos).putLong(sequence).put(body)
                .array();
    }

    /** Returns the send time of an item of raw bytes. */
    static long sentNanos(byte[] item) {
        return ByteBuffer.wrap(item).getLong(0);
    }

    /** Returns the sequence number of an item of raw bytes. */
    static long sequence(byte[] item) {
        return ByteBuffer.wrap(item).getLong(Long.BYTES);
    }
}
