package io.cohort.jdbc.outbox;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The settings of one outbox relay.
 *
 * @param appName the application whose rows the relay publishes
 * @param pubSubAdapter the name of the pub/sub adapter it publishes through
 * @param interval how long it sleeps when the outbox is empty and no local commit wakes it
 * @param batchSize the most rows it claims at once
 * @param claimTime how long its claim on a row lasts; after that another relay may publish the row again
 * @param retryDelay how long a row that failed to publish waits before the next attempt
 */
public record RelaySettings(String appName, String pubSubAdapter, Duration interval, int batchSize,
        Duration claimTime, Duration retryDelay) {

    private static final Pattern APP_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /**
     * Validates the configured values.
     *
     * @throws IllegalArgumentException naming the setting and the allowed values
     */
    static RelaySettings from(SyncOutboxComponent.Config config) {
        if (config.app_name() == null || !APP_NAME.matcher(config.app_name()).matches()) {
            throw new IllegalArgumentException("app.name '" + config.app_name() + "' is invalid; expected 1 to 63 "
                    + "characters from a-z 0-9 -, starting with a letter or digit");
        }
        if (config.pubsub_adapter() == null || config.pubsub_adapter().isBlank()) {
            throw new IllegalArgumentException("pubsub.adapter is empty; expected an adapter name such as memory");
        }
        Duration interval = range("relay.interval.ms", config.relay_interval_ms(), 10, 60_000);
        if (config.relay_batch_size() < 1 || config.relay_batch_size() > 10_000) {
            throw new IllegalArgumentException("relay.batch.size " + config.relay_batch_size()
                    + " is out of range; expected 1 to 10000");
        }
        // Receivers remember message ids for 10 minutes, so a row published again after a longer claim could run
        // twice.
        Duration claimTime = range("relay.claim.ms", config.relay_claim_ms(), 1_000, 300_000);
        Duration retryDelay = range("relay.retry.delay.ms", config.relay_retry_delay_ms(), 10, 3_600_000);
        return new RelaySettings(config.app_name(), config.pubsub_adapter(), interval, config.relay_batch_size(),
                claimTime, retryDelay);
    }

    private static Duration range(String setting, long millis, long min, long max) {
        if (millis < min || millis > max) {
            throw new IllegalArgumentException(setting + " " + millis + " is out of range; expected " + min + " to "
                    + max);
        }
        return Duration.ofMillis(millis);
    }
}
