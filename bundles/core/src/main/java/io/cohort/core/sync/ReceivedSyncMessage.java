package io.cohort.core.sync;

import java.time.Instant;

import io.cohort.api.sync.SyncMessage;
import io.cohort.core.json.JsonCodec;

/** A sync message passed to a handler. The payload is decoded on each {@link #payload} call, as the type given. */
final class ReceivedSyncMessage implements SyncMessage {

    private final String id;
    private final String channel;
    private final String sourceNode;
    private final Instant sentAt;
    private final byte[] payload;
    private final JsonCodec codec;
    private final String description;

    /** @param description what the message is, for errors, for example {@code sync message 7f.. on channel c} */
    ReceivedSyncMessage(String id, String channel, String sourceNode, Instant sentAt, byte[] payload,
            JsonCodec codec, String description) {
        this.id = id;
        this.channel = channel;
        this.sourceNode = sourceNode;
        this.sentAt = sentAt;
        this.payload = payload;
        this.codec = codec;
        this.description = description;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public String sourceNode() {
        return sourceNode;
    }

    @Override
    public Instant sentAt() {
        return sentAt;
    }

    @Override
    public <T> T payload(Class<T> type) {
        return codec.decode(description, payload, type);
    }

    @Override
    public String payloadJson() {
        return codec.toText(payload);
    }

    @Override
    public String toString() {
        return description + " from node " + sourceNode;
    }
}
