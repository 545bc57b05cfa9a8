package io.cohort.api.admin;

import java.time.Duration;
import java.util.List;

/**
 * The rows that the nodes of the cluster returned for one query.
 *
 * @param rows the rows of every node that responded, the asking node's first
 * @param responded the ids of the nodes that responded, the asking node first
 * @param missing the expected nodes that did not respond within {@code timeout}, or responded with an error
 * @param timeout how long the query waited for the other nodes
 * @param <T> the row type
 */
public record ClusterResult<T>(List<T> rows, List<String> responded, List<MissingNode> missing, Duration timeout) {

    public ClusterResult {
        rows = List.copyOf(rows);
        responded = List.copyOf(responded);
        missing = List.copyOf(missing);
    }
}
