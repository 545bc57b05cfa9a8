package io.cohort.api.admin;

import java.time.Instant;

/**
 * A node that the asking node expected rows from but that returned none for a cluster query.
 *
 * @param nodeId the node id
 * @param lastSeen when the asking node last received a message from it
 * @param reason why its rows are missing: no response within the timeout, the query could not be sent, or the
 *     node responded with an error
 */
public record MissingNode(String nodeId, Instant lastSeen, String reason) {
}
