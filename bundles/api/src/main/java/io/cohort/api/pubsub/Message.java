package io.cohort.api.pubsub;

import java.time.Instant;

/**
 * A delivered message.
 *
 * @param id the message id, unique per publish
 * @param channel the channel, without the application prefix
 * @param sourceNode the id of the node that published it
 * @param publishedAt when the publisher sent it, by the publisher's clock
 * @param payload the message read as the subscription's type
 * @param <T> the payload type
 */
public record Message<T>(String id, String channel, String sourceNode, Instant publishedAt, T payload) {
}
