package io.cohort.api.spi;

/**
 * A task as queue adapters store it.
 *
 * @param id the task id
 * @param channel the channel, without the application prefix
 * @param payload the JSON bytes
 * @param attempt the number of the attempt this record is for, 1 for the first
 * @param maxRetries how many retries follow a failed first attempt
 * @param timeoutMillis how long one attempt may run
 * @param backoffMillis the wait before the first retry
 * @param publishedAtMillis the publisher's clock at publish, in epoch milliseconds
 */
public record TaskRecord(String id, String channel, byte[] payload, int attempt, int maxRetries, long timeoutMillis,
        long backoffMillis, long publishedAtMillis) {

    /** Returns this record for the next attempt. */
    public TaskRecord nextAttempt() {
        return new TaskRecord(id, channel, payload, attempt + 1, maxRetries, timeoutMillis, backoffMillis,
                publishedAtMillis);
    }
}
