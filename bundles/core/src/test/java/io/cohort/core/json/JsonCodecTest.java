package io.cohort.core.json;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.not;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class JsonCodecTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    private final JsonCodec codec = new JsonCodec();
    private final AtomicInteger subjectCalls = new AtomicInteger();
    private final Supplier<String> subject = () -> {
        subjectCalls.incrementAndGet();
        return "message m-1 on channel orders";
    };

    record Order(String id, int quantity) {
    }

    /** A value with a java.time field, which only a mapper with the Java time module writes as text. */
    public record Stamp(String name, Instant at) {
    }

    /** A value Jackson cannot write, because its only property fails. */
    static final class Unwritable {

        public String getValue() {
            throw new IllegalStateException("no value for the test");
        }
    }

    @Test
    public void encode_validValue_neverBuildsSubject() {
        byte[] json = codec.encode(subject, new Order("o-1", 3));

        assertArrayEquals("{\"id\":\"o-1\",\"quantity\":3}".getBytes(StandardCharsets.UTF_8), json);
        assertEquals(0, subjectCalls.get());
    }

    @Test
    public void encode_nullValue_namesSubject() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> codec.encode(subject, null));

        assertThat(error.getMessage(), containsString("message m-1 on channel orders is null"));
    }

    @Test
    public void encode_unwritableValue_namesSubjectAndType() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> codec.encode(subject, new Unwritable()));

        assertThat(error.getMessage(), containsString("message m-1 on channel orders of type "
                + Unwritable.class.getName() + " cannot be written as JSON"));
    }

    @Test
    public void decode_validJson_neverBuildsSubject() {
        byte[] json = "{\"id\":\"o-1\",\"quantity\":3}".getBytes(StandardCharsets.UTF_8);

        Order order = codec.decode(subject, json, Order.class);

        assertEquals(new Order("o-1", 3), order);
        assertEquals(0, subjectCalls.get());
    }

    @Test
    public void decode_invalidJson_namesSubjectAndType() {
        byte[] json = "\"not an order\"".getBytes(StandardCharsets.UTF_8);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> codec.decode(subject, json, Order.class));

        assertThat(error.getMessage(), containsString("message m-1 on channel orders cannot be read as "
                + Order.class.getName()));
        assertEquals(1, subjectCalls.get());
    }

    @Test
    public void decode_invalidJson_givesLineAndColumn() {
        byte[] json = "{\"id\": 1,\n \"total\": x}".getBytes(StandardCharsets.UTF_8);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> codec.decode("cache orders key 7", json, Order.class));

        assertThat(error.getMessage(), containsString("Unrecognized token 'x'"));
        assertThat(error.getMessage(), containsString("(line 2, column "));
        assertThat(error.getMessage(), not(containsString("REDACTED")));
        assertThat(error.getMessage(), not(containsString("\n")));
    }

    @Test
    public void decode_textSubject_namesIt() {
        byte[] json = "[1, 2]".getBytes(StandardCharsets.UTF_8);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> codec.decode("cache users key 42", json, Order.class));

        assertThat(error.getMessage(), containsString("cache users key 42 cannot be read as"));
    }

    @Test
    public void decode_nullType_namesSubject() {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> codec.decode(subject, json, null));

        assertThat(error.getMessage(), containsString("to read message m-1 on channel orders as"));
    }

    @Test
    public void mapper_twoCodecs_shareOneMapper() {
        assertSame(new JsonCodec().mapper(), new JsonCodec().mapper());
    }

    @Test
    public void encode_instant_writesIsoText() {
        byte[] json = codec.encode("stamp", new Stamp("a", Instant.parse("2026-12-05T01:02:03Z")));

        assertEquals("{\"name\":\"a\",\"at\":\"2026-12-05T01:02:03Z\"}", new String(json, StandardCharsets.UTF_8));
    }

    @Test
    public void decode_unknownField_isIgnored() {
        byte[] json = "{\"name\":\"a\",\"at\":\"2026-12-05T01:02:03Z\",\"extra\":1}".getBytes(StandardCharsets.UTF_8);

        Stamp stamp = codec.decode("stamp", json, Stamp.class);

        assertEquals(new Stamp("a", Instant.parse("2026-12-05T01:02:03Z")), stamp);
    }
}
