package io.cohort.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ChannelView;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.LockView;
import io.cohort.api.admin.MissingNode;
import io.cohort.api.admin.QueueView;
import io.cohort.api.admin.SyncChannelView;
import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Tables and JSON of the admin commands. */
public class AdminReportTest {

    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00.250Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final MissingNode SILENT = new MissingNode("n3", Instant.parse("2026-12-04T09:58:00Z"),
            "no response within 2000 ms");

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    private final ObjectMapper json = new ObjectMapper();

    @Test
    public void cachesText_twoNodes_alignsColumns() {
        ClusterResult<CacheView> result = result(List.of(
                cache("n1", "users", Duration.ofMinutes(5), 12, 40, 3),
                cache("node-two", "orders", null, -1, 0, 0)));

        assertEquals("""
                NODE      CACHE   STORE   ENTRIES  TTL   HITS  MISSES
                n1        users   memory  12       5m    40    3
                node-two  orders  memory  -        none  0     0
                """, AdminReport.cachesText(result));
    }

    @Test
    public void cachesText_missingNode_namedAfterTable() {
        ClusterResult<CacheView> result = new ClusterResult<>(List.of(cache("n1", "users", null, 1, 0, 0)),
                List.of("n1"), List.of(SILENT), TIMEOUT);

        String text = AdminReport.cachesText(result);

        assertTrue(text, text.endsWith("\nNode n3 is missing from this view: no response within 2000 ms "
                + "(last seen 2026-12-04T09:58:00Z)\n"));
    }

    @Test
    public void cachesText_noRows_namesRespondingNodes() {
        ClusterResult<CacheView> result = new ClusterResult<>(List.of(), List.of("n1", "n2"), List.of(), TIMEOUT);

        assertEquals("No caches on nodes n1, n2.\n", AdminReport.cachesText(result));
    }

    @Test
    public void cachesJson_row_hasEveryFieldAndNullForUnknown() throws Exception {
        ClusterResult<CacheView> result = new ClusterResult<>(List.of(cache("n1", "users", Duration.ofSeconds(30),
                -1, 4, 2)), List.of("n1"), List.of(SILENT), TIMEOUT);

        JsonNode tree = json.readTree(AdminReport.cachesJson(result));

        assertEquals("n1", tree.get("responded").get(0).asText());
        assertEquals("n3", tree.get("missing").get(0).get("nodeId").asText());
        assertEquals("no response within 2000 ms", tree.get("missing").get(0).get("reason").asText());
        JsonNode row = tree.get("caches").get(0);
        assertEquals("n1", row.get("node").asText());
        assertEquals("users", row.get("cache").asText());
        assertEquals(30_000, row.get("ttlMillis").asLong());
        assertTrue(row.get("entries").isNull());
        assertEquals(4, row.get("hits").asLong());
        assertEquals(2, row.get("misses").asLong());
    }

    @Test
    public void channelsText_subscriptions_groupedByBundle() {
        ClusterResult<ChannelView> result = result(List.of(
                new ChannelView("n1", "orders", List.of("b [2]", "a [1]", "b [2]"), 5, 14, 1, 0),
                new ChannelView("n1", "quiet", List.of(), 2, 0, 0, 0)));

        assertEquals("""
                NODE  CHANNEL  SUBSCRIPTIONS    PUBLISHED  DELIVERED  FAILED  DROPPED
                n1    orders   a [1], b [2] x2  5          14         1       0
                n1    quiet    -                2          0          0       0
                """, AdminReport.channelsText(result));
    }

    @Test
    public void channelsJson_row_listsEverySubscription() throws Exception {
        ClusterResult<ChannelView> result = result(List.of(
                new ChannelView("n1", "orders", List.of("a [1]", "a [1]"), 5, 14, 1, 2)));

        JsonNode row = json.readTree(AdminReport.channelsJson(result)).get("channels").get(0);

        assertEquals(2, row.get("subscriptions").size());
        assertEquals(2, row.get("dropped").asLong());
    }

    @Test
    public void queuesText_rows_showPendingRunningAndDead() {
        ClusterResult<QueueView> result = result(List.of(new QueueView("n1", "jobs", 1, 2, 7, 1, 20, 12, 3, 1)));

        assertEquals("""
                NODE  CHANNEL  CONSUMERS  PENDING  RUNNING  DONE  RETRIED  DEAD
                n1    jobs     1          7        2        12    3        1
                """, AdminReport.queuesText(result));
    }

    @Test
    public void queuesJson_unknownPending_isNull() throws Exception {
        ClusterResult<QueueView> result = result(List.of(new QueueView("n1", "jobs", 0, 0, -1, -1, 1, 0, 0, 0)));

        JsonNode row = json.readTree(AdminReport.queuesJson(result)).get("queues").get(0);

        assertTrue(row.get("pending").isNull());
        assertTrue(row.get("deadLetters").isNull());
        assertEquals(1, row.get("published").asLong());
    }

    @Test
    public void deadLettersText_letter_showsIdAttemptsTimeAndError() {
        DeadLetter letter = letter("t-1", "java.lang.IllegalStateException: no\nstock");

        assertEquals("""
                ID   ATTEMPTS  DEAD AT               LAST ERROR
                t-1  1         2026-12-04T10:00:00Z  java.lang.IllegalStateException: no stock
                """, AdminReport.deadLettersText("jobs", List.of(letter)));
    }

    @Test
    public void deadLettersText_none_saysSo() {
        assertEquals("No dead letters on queue channel 'jobs'.\n", AdminReport.deadLettersText("jobs", List.of()));
    }

    @Test
    public void deadLettersJson_letter_embedsPayloadAsJson() throws Exception {
        JsonNode row = json.readTree(AdminReport.deadLettersJson("jobs", List.of(letter("t-1", "boom"))))
                .get("deadLetters").get(0);

        assertEquals("t-1", row.get("taskId").asText());
        assertEquals(7, row.get("payload").get("id").asInt());
        assertEquals(0, row.get("maxRetries").asInt());
        assertEquals("2026-12-04T10:00:00.250Z", row.get("deadAt").asText());
    }

    @Test
    public void locksText_lease_showsHeldForAndTtlLeft() {
        ClusterResult<LockView> result = result(List.of(lock()));

        assertEquals("""
                KEY      NODE  BUNDLE        FENCE TOKEN  HELD FOR  TTL LEFT
                reports  n2    a.plugin [4]  9            2.5s      27.5s
                """, AdminReport.locksText(result));
    }

    @Test
    public void lockInfoText_lease_listsEveryFact() {
        ClusterResult<LockView> result = result(List.of(lock()));

        assertEquals("""
                Key:          reports
                Holder node:  n2
                Bundle:       a.plugin [4]
                Fence token:  9
                Acquired at:  2026-12-04T09:59:57Z
                Expires at:   2026-12-04T10:00:27Z
                Held for:     2.5s
                TTL left:     27.5s of 30s
                """, AdminReport.lockInfoText("reports", result));
    }

    @Test
    public void lockInfoText_heldByMissingNode_saysSoAndNamesIt() {
        ClusterResult<LockView> result = new ClusterResult<>(List.of(), List.of("n1"), List.of(SILENT), TIMEOUT);

        String text = AdminReport.lockInfoText("reports", result);

        assertTrue(text, text.startsWith("Lock key 'reports' is held, but no node that responded holds its lease.\n"));
        assertTrue(text, text.contains("Node n3 is missing from this view"));
    }

    @Test
    public void lockInfoJson_lease_hasMillisFields() throws Exception {
        JsonNode tree = json.readTree(AdminReport.lockInfoJson("reports", true, result(List.of(lock()))));

        assertEquals("reports", tree.get("key").asText());
        JsonNode lease = tree.get("leases").get(0);
        assertEquals(2_500, lease.get("heldForMillis").asLong());
        assertEquals(27_500, lease.get("ttlLeftMillis").asLong());
        assertEquals(30_000, lease.get("ttlMillis").asLong());
        assertEquals(9, lease.get("fenceToken").asLong());
    }

    @Test
    public void syncChannelsText_generalChannel_showsDashForPlugin() {
        ClusterResult<SyncChannelView> result = result(List.of(
                new SyncChannelView("n1", null, "prices", 3, 0, 0, 0, 0),
                new SyncChannelView("n1", "billing", "invoices", 0, 4, 1, 3, 1)));

        assertEquals("""
                NODE  PLUGIN   CHANNEL   SENT  RECEIVED  HANDLED  FAILED
                n1    -        prices    3     0         0        0
                n1    billing  invoices  0     4         3        1
                """, AdminReport.syncChannelsText(result));
    }

    @Test
    public void prettyJson_object_indents() {
        assertEquals("{\n  \"id\" : 1\n}\n", AdminReport.prettyJson("{\"id\":1}"));
    }

    @Test
    public void prettyJson_numbers_keepTheirDigits() {
        assertEquals("[ 1.50, 12345678901234567890123, 1E+3 ]\n",
                AdminReport.prettyJson("[1.50,12345678901234567890123,1E+3]"));
    }

    private static <T> ClusterResult<T> result(List<T> rows) {
        return new ClusterResult<>(rows, List.of("n1"), List.of(), TIMEOUT);
    }

    private static CacheView cache(String node, String name, Duration ttl, long entries, long hits, long misses) {
        return new CacheView(node, name, "memory", "app:" + name, ttl, 0, entries, hits, misses, 0, 0, 0, 0);
    }

    private static LockView lock() {
        Instant acquired = NOW.minusMillis(2_500);
        return new LockView("n2", "reports", "a.plugin [4]", 9, acquired, acquired.plusSeconds(30), NOW);
    }

    private static DeadLetter letter(String id, String error) {
        return new DeadLetter(id, "jobs", "{\"id\":7}", 1, error, NOW.minusSeconds(1), NOW,
                TaskOptions.defaults().withMaxRetries(0));
    }
}
