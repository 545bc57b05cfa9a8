package io.cohort.core.node;

import java.util.Locale;
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
     * Reads the setting: {@code all}, {@code none} (or empty), or a comma-separated list of channels. The keywords
     * count only alone and in lower case. A list entry that reads as one in any case ({@code ALL}, {@code None},
     * {@code all} beside other channels) is rejected instead of becoming a channel of that name. So is an entry with
     * {@code *}, because channels have no patterns.
     *
     * @throws IllegalArgumentException naming the setting, the value and what is allowed
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
        for (String entry : trimmed.split(",", -1)) {
            String channel = entry.trim();
            if (channel.isEmpty()) {
                throw new IllegalArgumentException("queue.consume '" + trimmed + "' has an empty channel name; "
                        + "expected all, none or channel names separated by single commas");
            }
            requireNoWildcard(trimmed, channel);
            channels.add(Names.requireName("channel in queue.consume (expected all, none or a comma-separated list of "
                    + "channels)", channel));
        }
        return new QueueRole(false, channels);
    }

    /** Rejects a list entry that reads as a keyword or a pattern, which a node would otherwise consume by name. */
    private static void requireNoWildcard(String value, String channel) {
        String keyword = channel.toLowerCase(Locale.ROOT);
        if (keyword.equals("all") || keyword.equals("none")) {
            throw new IllegalArgumentException("queue.consume '" + Names.abbreviate(value) + "' is invalid: '"
                    + channel + "' reads as the keyword " + keyword + ", which counts only alone and in lower case; "
                    + "expected all (every channel), none, or a comma-separated list of channel names");
        }
        if (channel.contains("*")) {
            throw new IllegalArgumentException("queue.consume '" + Names.abbreviate(value) + "' is invalid: '"
                    + Names.abbreviate(channel) + "' is a pattern, and channels are named one by one; expected all "
                    + "(every channel), none, or a comma-separated list of channel names");
        }
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
