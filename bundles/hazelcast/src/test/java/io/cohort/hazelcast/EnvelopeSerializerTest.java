package io.cohort.hazelcast;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import com.hazelcast.internal.nio.BufferObjectDataOutput;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.nio.serialization.HazelcastSerializationException;

import io.cohort.api.spi.Envelope;

import org.junit.After;
import org.junit.Test;

/** Envelopes through the serialization configuration that a Cohort member starts with. */
public class EnvelopeSerializerTest {

    private final InternalSerializationService serialization = new DefaultSerializationServiceBuilder()
            .setConfig(MemberConfigFactory.create(MemberSettings.defaults(), null, getClass().getClassLoader())
                    .getSerializationConfig())
            .build();

    @After
    public void dispose() {
        serialization.dispose();
    }

    @Test
    public void roundTrip_keepsEveryField() {
        byte[] payload = "{\"order\":\"ä-17\"}".getBytes(StandardCharsets.UTF_8);
        Envelope sent = new Envelope("6f1c2a40-0d7e-4b1a-9a57-3c2b8e0f9d11", "node-ü", 1_764_000_000_123L, true,
                payload);

        Data data = serialization.toData(sent);
        Envelope received = serialization.toObject(data);

        assertEquals(EnvelopeSerializer.TYPE_ID, data.getType());
        assertEquals(sent.id(), received.id());
        assertEquals(sent.sourceNode(), received.sourceNode());
        assertEquals(sent.publishedAtMillis(), received.publishedAtMillis());
        assertTrue(received.skipSource());
        assertArrayEquals(payload, received.payload());
    }

    @Test
    public void roundTrip_keepsNullsAndEmptyPayload() {
        Envelope received = serialization.toObject(serialization.toData(
                new Envelope(null, null, 0, false, new byte[0])));

        assertNull(received.id());
        assertNull(received.sourceNode());
        assertFalse(received.skipSource());
        assertArrayEquals(new byte[0], received.payload());
    }

    @Test
    public void read_otherFormat_failsNamingBothFormats() throws Exception {
        BufferObjectDataOutput out = serialization.createObjectDataOutput();
        out.writeByte(EnvelopeSerializer.FORMAT + 1);
        out.writeString("id");

        HazelcastSerializationException error = assertThrows(HazelcastSerializationException.class,
                () -> new EnvelopeSerializer().read(serialization.createObjectDataInput(out.toByteArray())));

        assertEquals("invalid message envelope format 2: this Cohort member reads format 1 only. Run the same Cohort "
                + "version on every member of the cluster", error.getMessage());
    }
}
