package io.cohort.core.json;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class JsonCodecTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    /** A value with a java.time field, which only a mapper with the Java time module writes as text. */
    public record Stamp(String name, Instant at) {
    }

    @Test
    public void mapper_twoCodecs_shareOneMapper() {
        assertSame(new JsonCodec().mapper(), new JsonCodec().mapper());
    }

    @Test
    public void encode_instant_writesIsoText() {
        byte[] json = new JsonCodec().encode("stamp", new Stamp("a", Instant.parse("2026-12-05T01:02:03Z")));

        assertEquals("{\"name\":\"a\",\"at\":\"2026-12-05T01:02:03Z\"}", new String(json, StandardCharsets.UTF_8));
    }

    @Test
    public void decode_unknownField_isIgnored() {
        byte[] json = "{\"name\":\"a\",\"at\":\"2026-12-05T01:02:03Z\",\"extra\":1}".getBytes(StandardCharsets.UTF_8);

        Stamp stamp = new JsonCodec().decode("stamp", json, Stamp.class);

        assertEquals(new Stamp("a", Instant.parse("2026-12-05T01:02:03Z")), stamp);
    }
}
