package io.cohort.api.sync;

import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/** A sync message received from another node. */
@ProviderType
public interface SyncMessage {

    /** Returns the message id, unique per send. */
    String id();

    /** Returns the channel, without the application and plugin prefix. */
    String channel();

    /** Returns the id of the node that sent the message. */
    String sourceNode();

    /** Returns when the sender sent it, by the sender's clock. */
    Instant sentAt();

    /**
     * Reads the payload as {@code type}, in the class space of the type's bundle.
     *
     * @throws IllegalStateException if the payload cannot be read as {@code type}; the message names the channel
     *     and the type
     */
    <T> T payload(Class<T> type);

    /** Returns the payload as JSON text. */
    String payloadJson();
}
