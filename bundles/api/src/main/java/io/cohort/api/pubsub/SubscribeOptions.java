package io.cohort.api.pubsub;

import java.time.Duration;
import java.util.Optional;

/**
 * The options of one subscription.
 *
 * <p>With a debounce window, a message whose JSON equals one already waiting for this subscriber is dropped, and the
 * waiting one is delivered when the window that began with its arrival ends. Different messages are never dropped.
 * Each subscriber debounces on its own, so every subscriber of the channel gets one delivery per window.
 *
 * @param debounce the debounce window, or {@code null} for none
 */
public record SubscribeOptions(Duration debounce) {

    public SubscribeOptions {
        if (debounce != null && (debounce.isNegative() || debounce.isZero())) {
            throw new IllegalArgumentException("debounce is " + debounce + "; expected a positive duration or none");
        }
    }

    /** Returns options without debounce. */
    public static SubscribeOptions defaults() {
        return new SubscribeOptions(null);
    }

    /** Returns options that debounce identical messages within {@code window}. */
    public static SubscribeOptions debounce(Duration window) {
        return new SubscribeOptions(window);
    }

    /** Returns the debounce window, or empty for none. */
    public Optional<Duration> debounceWindow() {
        return Optional.ofNullable(debounce);
    }
}
