package io.cohort.samples.starter;

import java.time.Instant;

/**
 * The sync message the plugin sends to its copies on the other nodes when it loads.
 *
 * @param nodeId the node where the plugin loaded
 * @param loadedAt when it loaded, by that node's clock
 */
public record NodeLoaded(String nodeId, Instant loadedAt) {
}
