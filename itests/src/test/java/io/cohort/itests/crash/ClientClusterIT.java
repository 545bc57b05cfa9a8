package io.cohort.itests.crash;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cohort.itests.crash.ProcessNode.ClientResult;
import io.cohort.itests.crash.plugin.CrashPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Drives a two-node cluster of real node processes through {@code bin/cohort client}, as an operator would: what one
 * node does, the shell of the other node shows. Covers a cache value, a held lock and a dead letter, in the table and
 * the {@code --json} form, and the exit status and stderr of a failing command.
 */
public class ClientClusterIT {

    private static final int FIRST_PORT = 5982;
    private static final String LOCK_KEY = "ops.lock";
    private static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern HELD = Pattern.compile("held " + Pattern.quote(LOCK_KEY) + " token (\\d+)");
    private static final Pattern TASK_ID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final ObjectMapper json = new ObjectMapper();

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 240_000)
    public void client_twoNodes_eachShowsWhatTheOtherDid() throws Exception {
        Path pluginJar = CrashPluginBundle.build(temp.newFolder("plugin").toPath());
        try (ProcessCluster cluster = new ProcessCluster(temp.newFolder("nodes").toPath(), FIRST_PORT, 2, Map.of())) {
            cluster.start();
            cluster.deploy(pluginJar, CrashPlugin.NAME);
            ProcessNode a = cluster.node(0);
            ProcessNode b = cluster.node(1);
            try {
                cacheValue_setOnA_readOnB(a, b);
                lock_heldOnA_listedOnB(a, b);
                deadLetter_failedTask_listedOnBothNodes(a, b);
                failingCommand_exitsNonZero_errorOnStderr(b);
            } catch (AssertionError | Exception e) {
                cluster.keepLogs(Path.of("target", "crash-logs", "ClientClusterIT"));
                throw e;
            }
        }
    }

    private void cacheValue_setOnA_readOnB(ProcessNode a, ProcessNode b) throws Exception {
        ClientResult set = a.client("cache:set", CrashPlugin.SHARED_CACHE, "greeting", "{\"text\":\"hello from a\"}");
        assertEquals(set.describe(), 0, set.status());

        ClientResult text = b.client("cache:get", CrashPlugin.SHARED_CACHE, "greeting");
        assertEquals(text.describe(), 0, text.status());
        assertTrue(text.describe(), text.stdout().contains("\"hello from a\""));
        ClientResult asJson = b.client("cache:get", "--json", CrashPlugin.SHARED_CACHE, "greeting");
        assertEquals(asJson.describe(), 0, asJson.status());
        JsonNode value = json.readTree(asJson.stdout());
        assertEquals(asJson.describe(), "hello from a", value.path("value").path("text").asText());
    }

    private void lock_heldOnA_listedOnB(ProcessNode a, ProcessNode b) throws Exception {
        ClientResult hold = a.client("crash:hold", LOCK_KEY);
        assertEquals(hold.describe(), 0, hold.status());
        Matcher held = HELD.matcher(hold.stdout());
        assertTrue(hold.describe(), held.find());
        long token = Long.parseLong(held.group(1));

        ClientResult list = b.client("lock:list", "--json");
        assertEquals(list.describe(), 0, list.status());
        JsonNode locks = json.readTree(list.stdout());
        assertEquals(list.describe(), 0, locks.path("missing").size());
        JsonNode row = rowWith(locks.path("locks"), "key", LOCK_KEY, list);
        assertEquals(list.describe(), "a", row.path("node").asText());
        assertEquals(list.describe(), token, row.path("fenceToken").asLong());
        assertTrue(list.describe(), row.path("ttlLeftMillis").asLong() > 0);

        ClientResult table = b.client("lock:list");
        assertEquals(table.describe(), 0, table.status());
        assertTrue(table.describe(), Pattern.compile("(?m)^" + Pattern.quote(LOCK_KEY) + "\\s+a\\s+.*\\s"
                + token + "\\s").matcher(table.stdout()).find());
        ClientResult info = b.client("lock:info", LOCK_KEY);
        assertEquals(info.describe(), 0, info.status());
        assertTrue(info.describe(), info.stdout().contains("Holder node:  a"));
    }

    private void deadLetter_failedTask_listedOnBothNodes(ProcessNode a, ProcessNode b) throws Exception {
        ClientResult publish = a.client("queue:publish", "--max-retries", "1", CrashPlugin.FAILING_CHANNEL,
                "\"boom\"");
        assertEquals(publish.describe(), 0, publish.status());
        Matcher id = TASK_ID.matcher(publish.stdout());
        assertTrue(publish.describe(), id.find());
        String taskId = id.group();

        eventually(DEAD_LETTER_TIMEOUT, () -> {
            ClientResult dead = b.client("queue:dead", "--json", CrashPlugin.FAILING_CHANNEL);
            assertEquals(dead.describe(), 0, dead.status());
            JsonNode letter = rowWith(json.readTree(dead.stdout()).path("deadLetters"), "taskId", taskId, dead);
            assertEquals(dead.describe(), 2, letter.path("attempts").asInt());
            assertTrue(dead.describe(), letter.path("lastError").asText().contains("rejected boom"));
        });
        for (ProcessNode node : List.of(a, b)) {
            ClientResult table = node.client("queue:dead", CrashPlugin.FAILING_CHANNEL);
            assertEquals(table.describe(), 0, table.status());
            assertTrue(table.describe(), Pattern.compile("(?m)^" + taskId + "\\s+2\\s+.*rejected boom")
                    .matcher(table.stdout()).find());
        }
    }

    private static void failingCommand_exitsNonZero_errorOnStderr(ProcessNode b) throws Exception {
        ClientResult missing = b.client("cache:get", CrashPlugin.SHARED_CACHE, "absent-key");
        assertNotEquals(missing.describe(), 0, missing.status());
        assertTrue(missing.describe(), missing.stderr().contains("key 'absent-key' not found"));
        assertEquals(missing.describe(), "", missing.stdout());

        ClientResult badJson = b.client("cache:set", CrashPlugin.SHARED_CACHE, "k", "{not json");
        assertNotEquals(badJson.describe(), 0, badJson.status());
        assertTrue(badJson.describe(), badJson.stderr().contains("{not json"));
    }

    private static JsonNode rowWith(JsonNode rows, String field, String value, ClientResult result) {
        for (JsonNode row : rows) {
            if (value.equals(row.path(field).asText())) {
                return row;
            }
        }
        throw new AssertionError("no row with " + field + " " + value + "\n" + result.describe());
    }
}
