package io.cohort.shell;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.MissingNode;
import io.cohort.api.admin.QueueView;
import io.cohort.api.admin.SyncChannelView;
import io.cohort.api.queue.DeadLetter;

/**
 * Formats the admin views as aligned tables for operators and as JSON for scripts.
 *
 * <p>A cluster view in JSON is an object with {@code responded} (node ids), {@code missing} (nodes without rows,
 * each with {@code nodeId}, {@code lastSeen} and {@code reason}) and the rows under a name such as {@code caches}.
 * Durations in JSON are whole milliseconds in fields ending in {@code Millis}, instants are ISO-8601 text, and a
 * count the node could not read is {@code null}. A table ends with one line per missing node.
 */
final class AdminReport {

    /** Writes indented JSON, and reads stored values with their decimals as written: 1.50 stays 1.50. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private AdminReport() {
    }

    static String cachesText(ClusterResult<CacheView> result) {
        TextTable table = new TextTable("NODE", "CACHE", "STORE", "ENTRIES", "TTL", "HITS", "MISSES");
        for (CacheView cache : result.rows()) {
            table.row(cache.nodeId(), cache.name(), cache.store(), count(cache.entries()), ttl(cache.ttl()),
                    count(cache.hits()), count(cache.misses()));
        }
        return render(table, result, "caches");
    }

    static String cachesJson(ClusterResult<CacheView> result) {
        return clusterJson(result, "caches", cache -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", cache.nodeId());
            row.put("cache", cache.name());
            row.put("store", cache.store());
            row.put("region", cache.region());
            row.put("entries", known(cache.entries()));
            row.put("ttlMillis", cache.ttl() == null ? null : cache.ttl().toMillis());
            row.put("maxEntries", cache.maxEntries());
            row.put("hits", cache.hits());
            row.put("misses", cache.misses());
            row.put("sets", cache.sets());
            row.put("deletes", cache.deletes());
            row.put("loads", cache.loads());
            row.put("loadFailures", cache.loadFailures());
            return row;
        });
    }

    static String channelsText(ClusterResult<ChannelView> result) {
        TextTable table = new TextTable("NODE", "CHANNEL", "SUBSCRIPTIONS", "PUBLISHED", "DELIVERED", "FAILED",
                "DROPPED");
        for (ChannelView channel : result.rows()) {
            table.row(channel.nodeId(), channel.channel(), subscriptions(channel.subscriptions()),
                    count(channel.published()), count(channel.delivered()), count(channel.failed()),
                    count(channel.dropped()));
        }
        return render(table, result, "pub/sub channels");
    }

    static String channelsJson(ClusterResult<ChannelView> result) {
        return clusterJson(result, "channels", channel -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", channel.nodeId());
            row.put("channel", channel.channel());
            row.put("subscriptions", channel.subscriptions());
            row.put("published", channel.published());
            row.put("delivered", channel.delivered());
            row.put("failed", channel.failed());
            row.put("dropped", channel.dropped());
            return row;
        });
    }

    static String queuesText(ClusterResult<QueueView> result) {
        TextTable table = new TextTable("NODE", "CHANNEL", "CONSUMERS", "PENDING", "RUNNING", "DONE", "RETRIED",
                "DEAD");
        for (QueueView queue : result.rows()) {
            table.row(queue.nodeId(), queue.channel(), count(queue.consumers()), count(queue.pending()),
                    count(queue.running()), count(queue.completed()), count(queue.retried()),
                    count(queue.deadLetters()));
        }
        return render(table, result, "queue channels");
    }

    static String queuesJson(ClusterResult<QueueView> result) {
        return clusterJson(result, "queues", queue -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", queue.nodeId());
            row.put("channel", queue.channel());
            row.put("consumers", queue.consumers());
            row.put("running", queue.running());
            row.put("pending", known(queue.pending()));
            row.put("deadLetters", known(queue.deadLetters()));
            row.put("published", queue.published());
            row.put("completed", queue.completed());
            row.put("retried", queue.retried());
            row.put("deadLettered", queue.deadLettered());
            return row;
        });
    }

    static String deadLettersText(String channel, List<DeadLetter> letters) {
        if (letters.isEmpty()) {
            return "No dead letters on queue channel '" + channel + "'.\n";
        }
        TextTable table = new TextTable("ID", "ATTEMPTS", "DEAD AT", "LAST ERROR");
        for (DeadLetter letter : letters) {
            table.row(letter.taskId(), String.valueOf(letter.attempts()), instant(letter.deadAt()),
                    oneLine(letter.lastError()));
        }
        return table.render();
    }

    static String deadLettersJson(String channel, List<DeadLetter> letters) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DeadLetter letter : letters) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("taskId", letter.taskId());
            row.put("attempts", letter.attempts());
            row.put("lastError", letter.lastError());
            row.put("publishedAt", text(letter.publishedAt()));
            row.put("deadAt", text(letter.deadAt()));
            row.put("payload", payload(letter.payloadJson()));
            if (letter.options() != null) {
                row.put("timeoutMillis", letter.options().timeout().toMillis());
                row.put("maxRetries", letter.options().maxRetries());
                row.put("backoffMillis", letter.options().backoff().toMillis());
            }
            rows.add(row);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("channel", channel);
        json.put("deadLetters", rows);
        return toJson(json);
    }

    static String locksText(ClusterResult<LockView> result) {
        TextTable table = new TextTable("KEY", "NODE", "BUNDLE", "FENCE TOKEN", "HELD FOR", "TTL LEFT");
        for (LockView lock : result.rows()) {
            table.row(lock.key(), lock.nodeId(), lock.owner(), String.valueOf(lock.fenceToken()),
                    Durations.format(lock.heldFor()), Durations.format(lock.ttlLeft()));
        }
        return render(table, result, "held locks");
    }

    static String locksJson(ClusterResult<LockView> result) {
        return clusterJson(result, "locks", AdminReport::lockJson);
    }

    /**
     * Returns every lease of {@code key} that the responding nodes hold, one block each, or a line saying that
     * no responding node holds the lease of the held key.
     */
    static String lockInfoText(String key, ClusterResult<LockView> leases) {
        StringBuilder text = new StringBuilder();
        if (leases.rows().isEmpty()) {
            text.append("Lock key '").append(key).append("' is held, but no node that responded holds its lease.\n");
        }
        for (LockView lock : leases.rows()) {
            text.append("Key:          ").append(lock.key()).append('\n');
            text.append("Holder node:  ").append(lock.nodeId()).append('\n');
            text.append("Bundle:       ").append(lock.owner()).append('\n');
            text.append("Fence token:  ").append(lock.fenceToken()).append('\n');
            text.append("Acquired at:  ").append(instant(lock.acquiredAt())).append('\n');
            text.append("Expires at:   ").append(instant(lock.expiresAt())).append('\n');
            text.append("Held for:     ").append(Durations.format(lock.heldFor())).append('\n');
            text.append("TTL left:     ").append(Durations.format(lock.ttlLeft())).append(" of ")
                    .append(Durations.format(lock.ttl())).append('\n');
        }
        appendMissing(text, leases.missing());
        return text.toString();
    }

    static String lockInfoJson(String key, boolean held, ClusterResult<LockView> leases) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("key", key);
        json.put("held", held);
        json.put("responded", leases.responded());
        json.put("missing", missingJson(leases.missing()));
        json.put("leases", leases.rows().stream().map(AdminReport::lockJson).toList());
        return toJson(json);
    }

    static String syncChannelsText(ClusterResult<SyncChannelView> result) {
        TextTable table = new TextTable("NODE", "PLUGIN", "CHANNEL", "SENT", "RECEIVED", "HANDLED", "FAILED");
        for (SyncChannelView channel : result.rows()) {
            table.row(channel.nodeId(), channel.plugin(), channel.channel(), count(channel.sent()),
                    count(channel.received()), count(channel.handled()), count(channel.failed()));
        }
        return render(table, result, "sync channels");
    }

    static String syncChannelsJson(ClusterResult<SyncChannelView> result) {
        return clusterJson(result, "syncChannels", channel -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", channel.nodeId());
            row.put("plugin", channel.plugin());
            row.put("channel", channel.channel());
            row.put("sent", channel.sent());
            row.put("received", channel.received());
            row.put("duplicates", channel.duplicates());
            row.put("handled", channel.handled());
            row.put("failed", channel.failed());
            return row;
        });
    }

    /** Returns a stored JSON value indented for people, or the text as it is when it does not parse. */
    static String prettyJson(String json) {
        try {
            return JSON.writeValueAsString(JSON.readTree(json)) + "\n";
        } catch (JsonProcessingException e) {
            return json + "\n";
        }
    }

    /** Returns an object of the given fields as indented JSON, with a JSON text value embedded as JSON. */
    static String objectJson(Map<String, ?> fields) {
        return toJson(fields);
    }

    /** Returns the JSON value of {@code json} as a tree, or the text as a JSON string when it does not parse. */
    static Object payload(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return json;
        }
    }

    private static Map<String, Object> lockJson(LockView lock) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("node", lock.nodeId());
        row.put("key", lock.key());
        row.put("owner", lock.owner());
        row.put("fenceToken", lock.fenceToken());
        row.put("acquiredAt", text(lock.acquiredAt()));
        row.put("expiresAt", text(lock.expiresAt()));
        row.put("heldForMillis", lock.heldFor().toMillis());
        row.put("ttlLeftMillis", lock.ttlLeft().toMillis());
        row.put("ttlMillis", lock.ttl().toMillis());
        return row;
    }

    private static <T> String clusterJson(ClusterResult<T> result, String rowsName,
            Function<T, Map<String, Object>> row) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("responded", result.responded());
        json.put("missing", missingJson(result.missing()));
        json.put(rowsName, result.rows().stream().map(row).toList());
        return toJson(json);
    }

    private static List<Map<String, Object>> missingJson(List<MissingNode> missing) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (MissingNode node : missing) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("nodeId", node.nodeId());
            entry.put("lastSeen", text(node.lastSeen()));
            entry.put("reason", node.reason());
            nodes.add(entry);
        }
        return nodes;
    }

    /** Returns the table, or a line saying there are no rows, followed by the missing nodes. */
    private static String render(TextTable table, ClusterResult<?> result, String what) {
        StringBuilder text = new StringBuilder();
        if (result.rows().isEmpty()) {
            text.append("No ").append(what).append(result.responded().size() == 1 ? " on node " : " on nodes ")
                    .append(String.join(", ", result.responded())).append(".\n");
        } else {
            text.append(table.render());
        }
        appendMissing(text, result.missing());
        return text.toString();
    }

    private static void appendMissing(StringBuilder text, List<MissingNode> missing) {
        for (MissingNode node : missing) {
            text.append("Node ").append(node.nodeId()).append(" is missing from this view: ").append(node.reason());
            if (node.lastSeen() != null) {
                text.append(" (last seen ").append(instant(node.lastSeen())).append(')');
            }
            text.append('\n');
        }
    }

    /** Returns the owners of a channel's subscriptions, each once with a count when it has several. */
    private static String subscriptions(List<String> owners) {
        if (owners.isEmpty()) {
            return null;
        }
        Map<String, Integer> counts = new TreeMap<>();
        owners.forEach(owner -> counts.merge(owner, 1, Integer::sum));
        List<String> cells = new ArrayList<>();
        counts.forEach((owner, number) -> cells.add(number == 1 ? owner : owner + " x" + number));
        return String.join(", ", cells);
    }

    private static String ttl(Duration ttl) {
        return ttl == null ? "none" : Durations.format(ttl);
    }

    /** Returns a count for a table, or null (printed as {@code -}) when it is -1, meaning unknown. */
    private static String count(long value) {
        return value < 0 ? null : String.valueOf(value);
    }

    private static Long known(long value) {
        return value < 0 ? null : value;
    }

    private static String instant(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String oneLine(String text) {
        return text == null ? null : text.strip().replaceAll("\\s+", " ");
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
