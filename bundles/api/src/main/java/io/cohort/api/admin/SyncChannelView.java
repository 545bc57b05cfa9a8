package io.cohort.api.admin;

/**
 * The state of one sync channel on one node: the node's counters since its core started. Receiving counts add up
 * over the subscriptions on the node.
 *
 * @param nodeId the node this row comes from
 * @param plugin the plugin of a channel of {@code PluginContext.sendSync}, or {@code null} for a channel of the
 *     general {@code SyncMessageManager}
 * @param channel the channel
 * @param sent messages the node handed to the pub/sub adapter
 * @param received messages from other nodes that reached a subscription, duplicates included
 * @param duplicates messages a subscription dropped because it had already taken their id
 * @param handled handler calls that returned normally
 * @param failed messages whose handler threw, or whose payload was not sync JSON
 */
public record SyncChannelView(String nodeId, String plugin, String channel, long sent, long received,
        long duplicates, long handled, long failed) {
}
