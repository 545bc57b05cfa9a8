package io.cohort.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.MissingNode;
import io.cohort.api.admin.QueueView;
import io.cohort.api.admin.SyncChannelView;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The admin commands run through the real Gogo runtime, outside a framework, on a fake node admin: how Gogo passes
 * options, optional and repeated arguments, what each command prints, and which errors it raises.
 */
public class AdminCommandsTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(20);

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
    private final FakeNodeAdmin admin = new FakeNodeAdmin();
    private final ObjectMapper json = new ObjectMapper();
    private final ByteArrayOutputStream sessionOutput = new ByteArrayOutputStream();
    private CommandSession session;

    @Before
    public void registerCommands() {
        threadIO.start();
        register("cache", new CacheCommands(admin, null), "list", "get", "set", "del", "reset");
        register("pubsub", new PubSubCommands(admin, null), "channels", "publish");
        register("queue", new QueueCommands(admin, null), "list", "dead", "retry", "publish");
        register("lock", new LockCommands(admin, null), "list", "info");
        register("sync", new SyncCommands(admin, null), "channels");
        PrintStream out = new PrintStream(sessionOutput, true, StandardCharsets.UTF_8);
        session = processor.createSession(InputStream.nullInputStream(), out, out);
    }

    @After
    public void stopGogo() {
        session.close();
        processor.stop();
        threadIO.stop();
    }

    @Test
    public void cacheList_text_showsTable() throws Exception {
        admin.users.put("u1", "1");

        assertEquals("""
                NODE  CACHE  STORE   ENTRIES  TTL  HITS  MISSES
                n1    users  memory  1        5m   3     1
                """, run("cache:list"));
    }

    @Test
    public void cacheList_json_parses() throws Exception {
        JsonNode tree = json.readTree(run("cache:list --json"));

        assertEquals("users", tree.get("caches").get(0).get("cache").asText());
        assertEquals("n1", tree.get("responded").get(0).asText());
    }

    @Test
    public void cacheSet_quotedJson_passedUnchanged() throws Exception {
        String output = run("cache:set users u1 '{\"name\": \"Ada\"}'");

        assertEquals("Stored key 'u1' in cache 'users' with the cache's default ttl.\n", output);
        assertEquals(List.of("set u1 {\"name\": \"Ada\"} null"), admin.calls);
    }

    @Test
    public void cacheSet_ttl_parsedFromSimpleForm() throws Exception {
        String output = run("cache:set users u1 42 30s");

        assertEquals("Stored key 'u1' in cache 'users' with ttl 30s.\n", output);
        assertEquals(List.of("set u1 42 PT30S"), admin.calls);
    }

    @Test
    public void cacheSet_ttlAboveMax_namesTypedValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("cache:set users u1 42 99999999999d"));

        assertEquals("ttl '99999999999d' is too long; expected at most 3650d", e.getMessage());
        assertEquals(List.of(), admin.calls);
    }

    @Test
    public void cacheSet_badTtl_rejectedBeforeStoring() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("cache:set users u1 42 soon"));

        assertTrue(e.getMessage(), e.getMessage().startsWith("ttl 'soon' is not a duration; expected ISO-8601"));
        assertEquals(List.of(), admin.calls);
    }

    @Test
    public void cacheSet_jsonOption_anywhere() throws Exception {
        JsonNode tree = json.readTree(run("cache:set --json users u1 '\"x\"' PT1M"));

        assertEquals(60_000, tree.get("ttlMillis").asLong());
    }

    @Test
    public void cacheGet_present_printsIndentedJson() throws Exception {
        admin.users.put("u1", "{\"name\":\"Ada\"}");

        assertEquals("{\n  \"name\" : \"Ada\"\n}\n", run("cache:get users u1"));
    }

    @Test
    public void cacheGet_json_embedsValue() throws Exception {
        admin.users.put("u1", "{\"name\":\"Ada\"}");

        JsonNode tree = json.readTree(run("cache:get users u1 --json"));

        assertEquals("Ada", tree.get("value").get("name").asText());
    }

    @Test
    public void cacheGet_absentKey_rejectedNamingKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("cache:get users u9"));

        assertEquals("key 'u9' not found in cache 'users' (absent or expired)", e.getMessage());
    }

    @Test
    public void cacheGet_unknownCache_rejectedNamingCache() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("cache:get usr u1"));

        assertEquals("cache 'usr' not found on node n1; caches on this node: [users]", e.getMessage());
    }

    @Test
    public void cacheDel_severalKeys_namesThoseNotFound() throws Exception {
        admin.users.put("a", "1");
        admin.users.put("b", "2");

        assertEquals("Deleted 2 of 3 keys from cache 'users'; not found: c.\n", run("cache:del users a b c"));
    }

    @Test
    public void cacheDel_json_listsDeletedAndNotFound() throws Exception {
        admin.users.put("a", "1");

        JsonNode tree = json.readTree(run("cache:del users a z --json"));

        assertEquals("a", tree.get("deleted").get(0).asText());
        assertEquals("z", tree.get("notFound").get(0).asText());
    }

    @Test
    public void cacheReset_cache_deletesEverything() throws Exception {
        admin.users.put("a", "1");

        assertEquals("Deleted every entry of cache 'users'.\n", run("cache:reset users"));
        assertTrue(admin.users.isEmpty());
    }

    @Test
    public void pubsubPublish_default_deliversToAll() throws Exception {
        String output = run("pubsub:publish orders '{\"id\":1}'");

        assertEquals("Published on channel 'orders' to the subscribers on every node, this one included.\n", output);
        assertEquals(List.of("publish orders {\"id\":1} ALL"), admin.calls);
    }

    @Test
    public void pubsubPublish_printToSystemOut_keptOutOfOutput() throws Exception {
        String output = run("pubsub:publish orders 1 --json");

        assertEquals("ALL", json.readTree(output).get("delivery").asText());
        assertFalse(sessionOutput.toString(StandardCharsets.UTF_8).contains(FakeNodeAdmin.LOG_LINE));
    }

    @Test
    public void pubsubPublish_onlySelf_passesDelivery() throws Exception {
        run("pubsub:publish --only-self orders 1");
        run("pubsub:publish orders 2 --skip-self");

        assertEquals(List.of("publish orders 1 ONLY_SELF", "publish orders 2 SKIP_SELF"), admin.calls);
    }

    @Test
    public void pubsubPublish_bothModes_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("pubsub:publish --only-self --skip-self orders 1"));

        assertEquals("--only-self and --skip-self exclude each other; give at most one", e.getMessage());
    }

    @Test
    public void pubsubChannels_text_showsOwningBundle() throws Exception {
        assertTrue(run("pubsub:channels").contains("n1    orders   a.plugin [4]   2          2"));
    }

    @Test
    public void queueList_json_parses() throws Exception {
        admin.addDeadLetter("t-1");

        JsonNode row = json.readTree(run("queue:list --json")).get("queues").get(0);

        assertEquals("jobs", row.get("channel").asText());
        assertEquals(1, row.get("deadLetters").asLong());
    }

    @Test
    public void queueDead_letters_listsIdAndError() throws Exception {
        admin.addDeadLetter("t-1");

        assertEquals("""
                ID   ATTEMPTS  DEAD AT               LAST ERROR
                t-1  1         2026-12-04T10:00:00Z  java.lang.IllegalStateException: down
                """, run("queue:dead jobs"));
    }

    @Test
    public void queueRetry_ids_retriesEach() throws Exception {
        admin.addDeadLetter("t-1");
        admin.addDeadLetter("t-2");
        String output = run("queue:retry jobs t-1 t-2");

        assertEquals("Queued 2 dead letters of queue channel 'jobs' again: t-1, t-2.\n", output);
    }

    @Test
    public void queueRetry_unknownId_retriesNothing() {
        admin.addDeadLetter("t-1");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("queue:retry jobs t-1 t-9"));

        assertEquals("dead letters [t-9] not found on queue channel 'jobs'; nothing was queued again. It has 1 dead "
                + "letter", e.getMessage());
        assertEquals(List.of(), admin.calls);
    }

    @Test
    public void queueRetry_all_retriesEvery() throws Exception {
        admin.addDeadLetter("t-1");

        JsonNode tree = json.readTree(run("queue:retry --all jobs --json"));

        assertEquals("t-1", tree.get("retried").get(0).asText());
    }

    @Test
    public void queueRetry_neitherIdsNorAll_rejected() {
        InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class, () -> run("queue:retry jobs"));

        assertEquals("give task ids or --all", e.getMessage());
        assertEquals(List.of(), admin.calls);
    }

    @Test
    public void queueRetry_idsAndAll_rejected() {
        InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class,
                () -> run("queue:retry --all jobs t-1"));

        assertEquals("give task ids or --all, not both", e.getMessage());
        assertEquals(List.of(), admin.calls);
    }

    @Test
    public void cacheDel_noKey_rejectedByGogo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("cache:del users"));

        assertTrue(e.getMessage(), e.getMessage().startsWith("Cannot coerce "));
        assertEquals(List.of(), admin.calls);
    }

    @Test
    public void queuePublish_options_passedAsTaskOptions() throws Exception {
        String output = run("queue:publish jobs '{\"id\":3}' --timeout 30s --max-retries 0");

        assertEquals("Published task task-1 on queue channel 'jobs' (timeout 30s, max retries 0).\n", output);
        assertEquals(List.of("task jobs {\"id\":3} PT30S 0"), admin.calls);
    }

    @Test
    public void queuePublish_noOptions_usesDefaults() throws Exception {
        run("queue:publish jobs 1");

        assertEquals(List.of("task jobs 1 PT5M 3"), admin.calls);
    }

    @Test
    public void queuePublish_badMaxRetries_rejectedNamingValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("queue:publish jobs 1 --max-retries many"));

        assertEquals("--max-retries 'many' is not a whole number; expected 0 to 100", e.getMessage());
    }

    @Test
    public void queuePublish_maxRetriesOutOfRange_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("queue:publish jobs 1 --max-retries 101"));

        assertEquals("--max-retries '101' is out of range; expected 0 to 100", e.getMessage());
    }

    @Test
    public void queuePublish_maxRetriesNegative_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("queue:publish jobs 1 --max-retries -1"));

        assertEquals("--max-retries '-1' is out of range; expected 0 to 100", e.getMessage());
    }

    @Test
    public void queuePublish_maxRetriesNotPlainDigits_rejected() {
        for (String value : List.of("+3", "\uFF13", "3.0", "0x3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QueueCommands.options("", value));

            assertEquals("--max-retries '" + value + "' is not a whole number; expected 0 to 100", e.getMessage());
        }
    }

    @Test
    public void queuePublish_maxRetriesWithSpaces_accepted() {
        assertEquals(3, QueueCommands.options("", " 3 ").maxRetries());
    }

    @Test
    public void queuePublish_maxRetriesLeadingZeros_accepted() {
        assertEquals(5, QueueCommands.options("", "0000000000005").maxRetries());
    }

    @Test
    public void queuePublish_maxRetriesOverflow_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("queue:publish jobs 1 --max-retries 99999999999"));

        assertEquals("--max-retries '99999999999' is out of range; expected 0 to 100", e.getMessage());
    }

    @Test
    public void queuePublish_badTimeout_rejectedNamingValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("queue:publish jobs 1 --timeout 5min"));

        assertTrue(e.getMessage(), e.getMessage().startsWith("--timeout '5min' is not a duration"));
    }

    @Test
    public void queuePublish_timeoutTooLong_publishesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("queue:publish jobs 1 --timeout 999999999999d"));

        assertEquals("--timeout '999999999999d' is too long; expected at most 3650d", e.getMessage());
        assertEquals(List.of(), admin.calls);
    }

    @Test
    public void lockList_text_showsLease() throws Exception {
        assertEquals("""
                KEY      NODE  BUNDLE        FENCE TOKEN  HELD FOR  TTL LEFT
                reports  n1    a.plugin [4]  9            5s        25s
                """, run("lock:list"));
    }

    @Test
    public void lockInfo_heldKey_showsHolder() throws Exception {
        String output = run("lock:info reports");

        assertTrue(output, output.startsWith("Key:          reports\nHolder node:  n1\n"));
    }

    @Test
    public void lockInfo_heldWithoutLease_saysSo() throws Exception {
        JsonNode tree = json.readTree(run("lock:info elsewhere --json"));

        assertTrue(tree.get("held").asBoolean());
        assertEquals(0, tree.get("leases").size());
    }

    @Test
    public void lockInfo_freeKey_rejectedNamingKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("lock:info free"));

        assertEquals("lock key 'free' is not held by any node", e.getMessage());
    }

    @Test
    public void lockInfo_freeKeyJson_printsNotHeld() throws Exception {
        JsonNode tree = json.readTree(run("lock:info free --json"));

        assertEquals("free", tree.get("key").asText());
        assertFalse(tree.get("held").asBoolean());
        assertEquals(0, tree.get("leases").size());
        assertEquals(0, tree.get("missing").size());
    }

    @Test
    public void syncChannels_json_parses() throws Exception {
        JsonNode row = json.readTree(run("sync:channels --json")).get("syncChannels").get(0);

        assertTrue(row.get("plugin").isNull());
        assertEquals("prices", row.get("channel").asText());
    }

    @Test
    public void cacheList_clusterWithMissingNode_namesIt() throws Exception {
        MissingNode missing = new MissingNode("n2", FakeNodeAdmin.NOW, "no response within 2000 ms");
        register("clustered", new CacheCommands(admin, new FixedClusterAdmin(admin, missing)), "list");

        String output = run("clustered:list");

        assertTrue(output, output.endsWith("Node n2 is missing from this view: no response within 2000 ms (last seen "
                + "2026-12-04T10:00:00Z)\n"));
        assertFalse(output, output.contains("No caches"));
    }

    @Test
    public void adminCommands_noCore_pointToBundleState() {
        CommandProcessorImpl noCore = new CommandProcessorImpl(threadIO);
        register(noCore, "cache", new CacheCommands(null, null), "list", "get", "set", "del", "reset");
        register(noCore, "pubsub", new PubSubCommands(null, null), "channels", "publish");
        register(noCore, "queue", new QueueCommands(null, null), "list", "dead", "retry", "publish");
        register(noCore, "lock", new LockCommands(null, null), "list", "info");
        register(noCore, "sync", new SyncCommands(null, null), "channels");
        List<String> lines = List.of("cache:list", "cache:get users u1", "cache:set users u1 1",
                "cache:set users u1 1 30s", "cache:del users u1", "cache:reset users", "pubsub:channels",
                "pubsub:publish news 1", "queue:list", "queue:dead jobs", "queue:retry --all jobs",
                "queue:publish jobs 1", "lock:list", "lock:info orders", "sync:channels");

        CommandSession noCoreSession = noCore.createSession(InputStream.nullInputStream(), System.out, System.err);
        try {
            for (String line : lines) {
                IllegalStateException e = assertThrows(line, IllegalStateException.class,
                        () -> noCoreSession.execute(line));
                assertEquals(line, NodeCommandsTest.CORE_NOT_RUNNING, e.getMessage());
            }
        } finally {
            noCoreSession.close();
            noCore.stop();
        }
    }

    /** Runs {@code line} and returns its result as the command socket prints it. */
    private String run(String line) throws Exception {
        Object result = session.execute(line);
        String printed = String.valueOf(session.format(result, Converter.INSPECT));
        assertEquals("Gogo changes the command's output", result, printed);
        return printed;
    }

    private void register(String scope, Object commands, String... functions) {
        register(processor, scope, commands, functions);
    }

    private static void register(CommandProcessorImpl target, String scope, Object commands, String... functions) {
        for (String function : functions) {
            target.addCommand(scope, commands, function);
        }
    }

    /** A cluster admin whose rows are the fake node's, with one node that never responds. */
    private record FixedClusterAdmin(FakeNodeAdmin admin, MissingNode missing) implements ClusterAdmin {

        @Override
        public ClusterResult<CacheView> caches(Duration timeout) {
            return result(admin.caches());
        }

        @Override
        public ClusterResult<ChannelView> channels(Duration timeout) {
            return result(admin.channels());
        }

        @Override
        public ClusterResult<QueueView> queues(Duration timeout) {
            return result(admin.queues());
        }

        @Override
        public ClusterResult<LockView> locks(Duration timeout) {
            return result(admin.locks());
        }

        @Override
        public ClusterResult<SyncChannelView> syncChannels(Duration timeout) {
            return result(admin.syncChannels());
        }

        private <T> ClusterResult<T> result(List<T> rows) {
            return new ClusterResult<>(rows, List.of("n1"), List.of(missing), Duration.ofSeconds(2));
        }
    }
}
