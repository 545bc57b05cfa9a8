package io.cohort.api.spi;

/**
 * A message as it travels through a {@link PubSubAdapter}.
 *
 * @param id the message id
 * @param sourceNode the id of the publishing node
 * @param publishedAtMillis the publisher's clock at publish, in epoch milliseconds
 * @param skipSource whether the publishing node's subscribers must not receive it
 * @param payload the JSON bytes
 */
public record Envelope(String id, String sourceNode, long publishedAtMillis, boolean skipSource, byte[] payload) {
}
