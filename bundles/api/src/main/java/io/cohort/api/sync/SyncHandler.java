package io.cohort.api.sync;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives sync messages. It runs on a Cohort delivery thread, one message at a time per subscription; an exception
 * it throws is logged with the channel and counted, and delivery goes on.
 */
@ConsumerType
@FunctionalInterface
public interface SyncHandler {

    void handle(SyncMessage message) throws Exception;
}
