package io.cohort.api.node;

/**
 * A configuration that a Cohort bundle rejected. The bundle registers one as a service while the configuration stays
 * invalid, and withdraws it once the configuration is fixed, so that {@code cohort:info} can name the setting that
 * keeps a part of the node stopped. The bundle also logs the same message as an ERROR.
 *
 * @param pid the configuration PID, such as {@code io.cohort.core}; its file is {@code etc/<pid>.cfg}
 * @param message the invalid setting, its value and what is allowed, such as
 *     {@code pool.size 'lots' is not a whole number; expected 1 to 200}
 */
public record ConfigurationError(String pid, String message) {
}
