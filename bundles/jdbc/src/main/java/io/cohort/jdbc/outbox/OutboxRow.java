package io.cohort.jdbc.outbox;

import io.cohort.api.spi.Envelope;

/**
 * A row of the outbox table that a relay claimed.
 *
 * @param seq the row's position in the table, for ordering and deletion
 * @param topic the full topic to publish on
 * @param envelope the envelope, as the sync manager built it
 * @param attempts how many times a relay has claimed the row, this claim included
 */
record OutboxRow(long seq, String topic, Envelope envelope, int attempts) {
}
