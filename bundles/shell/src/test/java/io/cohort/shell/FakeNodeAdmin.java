package io.cohort.shell;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.admin.QueueView;
import io.cohort.api.admin.SyncChannelView;
import io.cohort.api.pubsub.Delivery;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;

/**
 * A node admin with one cache {@code users} (a map of JSON text by key), one queue channel {@code jobs} with dead
 * letters, and one held lock key {@code reports}. It records the write calls it gets, so the command tests can check
 * what the commands passed on. Input checks are as strict as the real one's where the commands depend on them.
 */
final class FakeNodeAdmin implements NodeAdmin {

    static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    /** What {@link #publish} prints to {@code System.out}, like a log line on the console. */
    static final String LOG_LINE = "INFO io.cohort.core.admin.LocalNodeAdmin - Operator published a message";

    final Map<String, String> users = new LinkedHashMap<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    final List<String> calls = new ArrayList<>();

    @Override
    public String nodeId() {
        return "n1";
    }

    @Override
    public List<CacheView> caches() {
        return List.of(new CacheView("n1", "users", "memory", "app:users", Duration.ofMinutes(5), 0, users.size(),
                3, 1, 2, 0, 0, 0));
    }

    @Override
    public Optional<String> cacheValue(String cache, String key) {
        return Optional.ofNullable(requireUsers(cache).get(key));
    }

    @Override
    public void setCacheValue(String cache, String key, String json, Duration ttl) {
        requireUsers(cache).put(key, json);
        calls.add("set " + key + " " + json + " " + ttl);
    }

    @Override
    public List<String> deleteCacheKeys(String cache, List<String> keys) {
        Map<String, String> entries = requireUsers(cache);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no keys given for cache '" + cache + "'");
        }
        return keys.stream().distinct().filter(key -> entries.remove(key) != null).toList();
    }

    @Override
    public void resetCache(String cache) {
        requireUsers(cache).clear();
        calls.add("reset " + cache);
    }

    @Override
    public List<ChannelView> channels() {
        return List.of(new ChannelView("n1", "orders", List.of("a.plugin [4]"), 2, 2, 0, 0));
    }

    /** Records the call and prints a line to {@code System.out}, as a console log appender does. */
    @Override
    public void publish(String channel, String json, Delivery delivery) {
        System.out.println(LOG_LINE);
        calls.add("publish " + channel + " " + json + " " + delivery);
    }

    @Override
    public List<QueueView> queues() {
        return List.of(new QueueView("n1", "jobs", 1, 0, 0, deadLetters.size(), 3, 2, 0, 1));
    }

    @Override
    public List<DeadLetter> deadLetters(String channel) {
        requireJobs(channel);
        return List.copyOf(deadLetters);
    }

    @Override
    public void retryDeadLetter(String channel, String taskId) {
        requireJobs(channel);
        if (!deadLetters.removeIf(letter -> letter.taskId().equals(taskId))) {
            throw new IllegalArgumentException("dead letter '" + taskId + "' not found");
        }
        calls.add("retry " + taskId);
    }

    @Override
    public List<String> retryDeadLetters(String channel) {
        requireJobs(channel);
        List<String> ids = deadLetters.stream().map(DeadLetter::taskId).toList();
        deadLetters.clear();
        calls.add("retry all " + ids);
        return ids;
    }

    @Override
    public String publishTask(String channel, String json, TaskOptions options) {
        calls.add("task " + channel + " " + json + " " + options.timeout() + " " + options.maxRetries());
        return "task-1";
    }

    @Override
    public List<LockView> locks() {
        return List.of(new LockView("n1", "reports", "a.plugin [4]", 9, NOW.minusSeconds(5), NOW.plusSeconds(25),
                NOW));
    }

    @Override
    public Optional<LockView> lock(String key) {
        return locks().stream().filter(lock -> lock.key().equals(key)).findFirst();
    }

    @Override
    public boolean isLocked(String key) {
        if (key.contains(" ")) {
            throw new IllegalArgumentException("lock key '" + key + "' contains characters outside A-Z a-z");
        }
        return key.equals("reports") || key.equals("elsewhere");
    }

    @Override
    public List<SyncChannelView> syncChannels() {
        return List.of(new SyncChannelView("n1", null, "prices", 1, 0, 0, 0, 0));
    }

    /** Adds a dead letter of channel {@code jobs}. */
    void addDeadLetter(String taskId) {
        deadLetters.add(new DeadLetter(taskId, "jobs", "{\"id\":1}", 1, "java.lang.IllegalStateException: down",
                NOW.minusSeconds(60), NOW, TaskOptions.defaults().withMaxRetries(0)));
    }

    private Map<String, String> requireUsers(String cache) {
        if (!cache.equals("users")) {
            throw new IllegalArgumentException("cache '" + cache + "' not found on node n1; caches on this node: "
                    + "[users]");
        }
        return users;
    }

    private void requireJobs(String channel) {
        if (!channel.equals("jobs")) {
            throw new IllegalArgumentException("queue channel '" + channel + "' not found");
        }
    }
}
