package io.cohort.jdbc.outbox;

import java.time.Duration;
import java.util.regex.Pattern;

import io.cohort.jdbc.SettingValues;

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
     * @throws IllegalArgumentException naming the setting, its value and the allowed values
     */
    static RelaySettings from(SyncOutboxComponent.Config config) {
        requireNodeSettings(config);
        Duration interval = milliseconds("relay.interval.ms", config.relay_interval_ms(), 10, 60_000);
        int batchSize = (int) SettingValues.wholeNumber("relay.batch.size", config.relay_batch_size(), 1, 10_000);
        // Receivers remember message ids for 10 minutes, so a row published again after a longer claim could run
        // twice.
        Duration claimTime = milliseconds("relay.claim.ms", config.relay_claim_ms(), 1_000, 300_000);
        Duration retryDelay = milliseconds("relay.retry.delay.ms", config.relay_retry_delay_ms(), 10, 3_600_000);
        return new RelaySettings(config.app_name(), config.pubsub_adapter(), interval, batchSize, claimTime,
                retryDelay);
    }

    /**
     * Validates the two settings that the relay shares with the node configuration, which the core bundle validates
     * and reports as well.
     *
     * @throws IllegalArgumentException naming the setting, its value and the allowed values
     */
    static void requireNodeSettings(SyncOutboxComponent.Config config) {
        if (config.app_name() == null || !APP_NAME.matcher(config.app_name()).matches()) {
            throw new IllegalArgumentException("app.name '" + config.app_name() + "' is invalid; expected 1 to 63 "
                    + "characters from a-z 0-9 -, starting with a letter or digit");
        }
        if (config.pubsub_adapter() == null || config.pubsub_adapter().isBlank()) {
            throw new IllegalArgumentException("pubsub.adapter is empty; expected an adapter name such as memory");
        }
    }

    private static Duration milliseconds(String setting, String value, long min, long max) {
        return Duration.ofMillis(SettingValues.wholeNumber(setting, value, min, max));
    }
}
