package io.cohort.api.pubsub;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the messages of a subscription.
 *
 * <p>It runs on a Cohort delivery thread, one message at a time per subscription, and should not block for long,
 * because later messages of the same subscription wait for it. An exception it throws is logged with the channel and
 * counted, and delivery goes on with the next message.
 *
 * @param <T> the type each message is read as
 */
@ConsumerType
@FunctionalInterface
public interface MessageHandler<T> {

    void onMessage(Message<T> message) throws Exception;
}
