package io.cohort.hazelcast;

import java.io.IOException;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.nio.serialization.StreamSerializer;

import io.cohort.api.spi.Envelope;

/**
 * Writes each {@link Envelope} that travels on a topic as a format byte followed by its fields. Every pub/sub, sync
 * and operator message passes through it on publish and again on each listener's read. A Compact serializer would
 * look the schema up and build a reader for every message, so this is a plain stream serializer.
 *
 * <p><b>Warning:</b> every member of a cluster must write the same format. A change of the fields needs a new
 * {@link #FORMAT}, and {@link #read} must keep reading the old one, or a rolling upgrade mixes two formats.
 */
final class EnvelopeSerializer implements StreamSerializer<Envelope> {

    /** The Hazelcast type id of envelopes; unique among the serializers a Cohort member registers. */
    static final int TYPE_ID = 7_101;

    /** The format this version writes: id, source node, publish time, skip-source flag, payload. */
    static final byte FORMAT = 1;

    @Override
    public void write(ObjectDataOutput out, Envelope envelope) throws IOException {
        out.writeByte(FORMAT);
        out.writeString(envelope.id());
        out.writeString(envelope.sourceNode());
        out.writeLong(envelope.publishedAtMillis());
        out.writeBoolean(envelope.skipSource());
        out.writeByteArray(envelope.payload());
    }

    @Override
    public Envelope read(ObjectDataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new HazelcastSerializationException("invalid message envelope format " + format
                    + ": this Cohort member reads format " + FORMAT + " only. Run the same Cohort version on every "
                    + "member of the cluster");
        }
        return new Envelope(in.readString(), in.readString(), in.readLong(), in.readBoolean(), in.readByteArray());
    }

    @Override
    public int getTypeId() {
        return TYPE_ID;
    }
}
