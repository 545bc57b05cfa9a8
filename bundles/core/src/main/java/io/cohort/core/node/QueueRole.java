package io.cohort.core.node;

import java.util.Set;
import java.util.TreeSet;

/**
 * The event queue channels whose tasks this node runs (setting {@code queue.consume}): all of them, none, or a list.
 * A node publishes to every channel whatever its role, and a consumer that a plugin subscribes on a channel outside
 * the role stays registered but takes no tasks, so they run on the nodes that consume the channel.
 *
 * @param all whether the node consumes every channel
 * @param channels the channels the node consumes when {@code all} is false; empty for none
 */
public record QueueRole(boolean all, Set<String> channels) {

    /** The role of a node that consumes every channel, the default. */
    public static final QueueRole ALL = new QueueRole(true, Set.of());

    /** The role of a node that consumes no channel. */
    public static final QueueRole NONE = new QueueRole(false, Set.of());

    public QueueRole {
        channels = Set.copyOf(new TreeSet<>(channels));
    }

    /**
     * Reads the setting: {@code all}, {@code none} (or empty), or a comma-separated list of channels.
     *
     * @throws IllegalArgumentException naming the setting and the bad channel
     */
    public static QueueRole parse(String value) {
        String trimmed = value == null ? "" : value.trim();
        if (trimmed.equals("all")) {
            return ALL;
        }
        if (trimmed.isEmpty() || trimmed.equals("none")) {
            return NONE;
        }
        Set<String> channels = new TreeSet<>();
        for (String channel : trimmed.split(",", -1)) {
            if (channel.isBlank()) {
                throw new IllegalArgumentException("queue.consume '" + trimmed + "' has an empty channel name; "
                        + "expected all, none or channel names separated by single commas");
            }
            channels.add(Names.requireName("channel in queue.consume (expected all, none or a comma-separated list of "
                    + "channels)", channel.trim()));
        }
        return new QueueRole(false, channels);
    }

    /** Returns whether this node runs the tasks of {@code channel}. */
    public boolean consumes(String channel) {
        return all || channels.contains(channel);
    }

    /** Returns {@code all}, {@code none} or the channels separated by commas, as the setting reads. */
    public String describe() {
        if (all) {
            return "all";
        }
        return channels.isEmpty() ? "none" : String.join(",", new TreeSet<>(channels));
    }
}
