package io.cohort.api.admin;

import java.util.List;

/**
 * The state of one pub/sub channel on one node: its local subscriptions and the node's counters since its core started.
 * Delivery counts add up over the subscriptions, so one message handled by three subscriptions counts three times.
 *
 * @param nodeId the node this row comes from
 * @param channel the channel, without the application prefix
 * @param subscriptions the bundle that owns each open subscription on the node, one entry per subscription, as
 *     {@code <symbolic name> [<bundle id>]}
 * @param published messages the node published on the channel, in every delivery mode
 * @param delivered handler calls that returned normally
 * @param failed messages a subscription could not take: the payload could not be read as its type, or the handler
 *     threw
 * @param dropped messages a subscription dropped on purpose: a debounced duplicate, or one still waiting when the
 *     subscription closed
 */
public record ChannelView(String nodeId, String channel, List<String> subscriptions, long published,
        long delivered, long failed, long dropped) {

    public ChannelView {
        subscriptions = List.copyOf(subscriptions);
    }
}
