package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.sync.SyncMessageManager;
import io.cohort.itests.support.CohortOptions;
import io.cohort.itests.support.CohortTestSupport;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

/**
 * The operator commands ({@code cache:}, {@code pubsub:}, {@code queue:}, {@code lock:}, {@code sync:}) run through
 * the CommandProcessor: they show what the probe created through the managers, their {@code --json} output parses,
 * and bad input fails with one line that names the value.
 *
 * <p>Caches and channel counters live as long as the node, so every test uses names of its own.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AdminCommandsIT extends CohortTestSupport {

    private final ObjectMapper json = new ObjectMapper();

    /** A type of the probe's own, which a value typed in the shell is read back as. */
    public record User(String name, int age) {
    }

    @Configuration
    public Option[] config() {
        return CohortOptions.node(AdminCommandsIT.class);
    }

    @Test(timeout = 30_000)
    public void cacheList_probeCache_showsEntriesAndCounts() throws Exception {
        Cache cache = service(CacheManager.class).createCache(CacheOptions.builder("it-admin-list")
                .ttl(Duration.ofMinutes(5)).build());
        cache.set("u1", new User("Ada", 36));
        cache.get("u1", User.class);
        cache.get("absent", User.class);

        String row = line(execute("cache:list"), "it-admin-list");

        assertEquals(List.of(node().nodeId(), "it-admin-list", "memory", "1", "5m", "1", "1"), columns(row));
    }

    @Test(timeout = 30_000)
    public void cacheList_json_parsesWithRowOfProbeCache() throws Exception {
        service(CacheManager.class).createCache(CacheOptions.builder("it-admin-json").build()).set("k", 1);

        JsonNode row = rowWith(json.readTree(execute("cache:list --json")).get("caches"), "cache", "it-admin-json");

        assertEquals(node().nodeId(), row.get("node").asText());
        assertEquals(1, row.get("entries").asLong());
        assertTrue(row.get("ttlMillis").isNull());
    }

    @Test(timeout = 30_000)
    public void cacheGet_probeValue_printsJson() throws Exception {
        service(CacheManager.class).createCache(CacheOptions.builder("it-admin-get").build())
                .set("u1", new User("Ada", 36));

        JsonNode value = json.readTree(execute("cache:get it-admin-get u1"));

        assertEquals("Ada", value.get("name").asText());
        assertEquals(36, value.get("age").asInt());
    }

    @Test(timeout = 30_000)
    public void cacheSet_json_readByProbeAsItsType() throws Exception {
        Cache cache = service(CacheManager.class).createCache(CacheOptions.builder("it-admin-set").build());

        execute("cache:set it-admin-set u2 '{\"name\":\"Bob\",\"age\":41}' 10m");

        assertEquals(Optional.of(new User("Bob", 41)), cache.get("u2", User.class));
    }

    @Test(timeout = 30_000)
    public void cacheSet_jsonString_readByProbeAsString() throws Exception {
        Cache cache = service(CacheManager.class).createCache(CacheOptions.builder("it-admin-text").build());

        execute("cache:set it-admin-text greeting '\"hello\"'");

        assertEquals(Optional.of("hello"), cache.get("greeting", String.class));
    }

    @Test(timeout = 30_000)
    public void cacheDelAndReset_entries_removed() throws Exception {
        Cache cache = service(CacheManager.class).createCache(CacheOptions.builder("it-admin-del").build());
        cache.set("a", 1);
        cache.set("b", 2);
        cache.set("c", 3);

        String deleted = execute("cache:del it-admin-del a x");
        execute("cache:reset it-admin-del");

        assertEquals("Deleted 1 of 2 keys from cache 'it-admin-del'; not found: x.\n", deleted);
        assertEquals(List.of(), List.copyOf(cache.keys()));
    }

    @Test(timeout = 30_000)
    public void pubsubChannels_probeSubscription_showsOwnerAndCounts() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        service(PubSubManager.class).subscribe("it.admin.events", String.class,
                message -> received.add(message.payload()));

        execute("pubsub:publish it.admin.events '\"hello\"'");

        eventually(() -> assertEquals(List.of("hello"), received));
        eventually(() -> {
            JsonNode row = rowWith(json.readTree(execute("pubsub:channels --json")).get("channels"), "channel",
                    "it.admin.events");
            assertEquals(1, row.get("published").asLong());
            assertEquals(1, row.get("delivered").asLong());
        });
        String row = line(execute("pubsub:channels"), "it.admin.events");
        assertTrue(row, row.contains(context.getBundle().getSymbolicName() + " [" + context.getBundle().getBundleId()
                + "]"));
    }

    @Test(timeout = 30_000)
    public void pubsubPublish_onlySelf_reachesProbe() throws Exception {
        List<Integer> received = new CopyOnWriteArrayList<>();
        service(PubSubManager.class).subscribe("it.admin.local", Integer.class,
                message -> received.add(message.payload()));

        execute("pubsub:publish it.admin.local 7 --only-self");

        eventually(() -> assertEquals(List.of(7), received));
    }

    @Test(timeout = 30_000)
    public void queueDead_failingTaskWithoutRetries_listsDeadLetter() throws Exception {
        service(EventQueue.class).subscribe("it.admin.failing", User.class, (user, task) -> {
            throw new IllegalStateException("cannot bill " + user.name());
        });

        JsonNode published = json.readTree(execute(
                "queue:publish it.admin.failing '{\"name\":\"Eve\",\"age\":30}' --max-retries 0 --json"));
        String taskId = published.get("taskId").asText();

        eventually(() -> assertTrue(execute("queue:dead it.admin.failing").contains(taskId)));
        String row = line(execute("queue:dead it.admin.failing"), taskId);
        assertTrue(row, row.endsWith("java.lang.IllegalStateException: cannot bill Eve"));
        JsonNode letter = json.readTree(execute("queue:dead it.admin.failing --json")).get("deadLetters").get(0);
        assertEquals(1, letter.get("attempts").asInt());
        assertEquals("Eve", letter.get("payload").get("name").asText());
        assertEquals(List.of(node().nodeId(), "it.admin.failing", "1", "0", "0", "0", "0", "1"),
                columns(line(execute("queue:list"), "it.admin.failing")));
    }

    @Test(timeout = 30_000)
    public void queueRetry_all_runsDeadLetterAgain() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        service(EventQueue.class).subscribe("it.admin.retry", User.class, (user, task) -> {
            if (failing.get()) {
                throw new IllegalStateException("down");
            }
        });
        execute("queue:publish it.admin.retry '{\"name\":\"Eve\",\"age\":30}' --max-retries 0");
        eventually(() -> assertTrue(execute("queue:dead it.admin.retry").contains("down")));
        failing.set(false);

        execute("queue:retry it.admin.retry --all");

        eventually(() -> {
            JsonNode row = rowWith(json.readTree(execute("queue:list --json")).get("queues"), "channel",
                    "it.admin.retry");
            assertEquals(1, row.get("completed").asLong());
            assertEquals(0, row.get("deadLetters").asLong());
        });
    }

    @Test(timeout = 30_000)
    public void lockList_probeLease_showsHolderAndFenceToken() throws Exception {
        try (LockHandle handle = service(LockManager.class).acquire("it.admin.lock", Duration.ofMinutes(1))) {
            String row = line(execute("lock:list"), "it.admin.lock");
            String info = execute("lock:info it.admin.lock");
            JsonNode lease = rowWith(json.readTree(execute("lock:list --json")).get("locks"), "key", "it.admin.lock");

            List<String> cells = columns(row);
            assertEquals(node().nodeId(), cells.get(1));
            assertEquals(String.valueOf(handle.fenceToken()), cells.get(cells.size() - 3));
            assertTrue(info, info.contains("Holder node:  " + node().nodeId() + "\n"));
            assertTrue(info, info.contains("Fence token:  " + handle.fenceToken() + "\n"));
            assertEquals(handle.fenceToken(), lease.get("fenceToken").asLong());
            assertTrue(lease.toString(), lease.get("ttlLeftMillis").asLong() <= 60_000);
        }
    }

    @Test(timeout = 30_000)
    public void lockInfo_releasedKeyJson_printsNotHeld() throws Exception {
        service(LockManager.class).acquire("it.admin.released", Duration.ofMinutes(1)).close();

        JsonNode info = json.readTree(execute("lock:info it.admin.released --json"));

        assertFalse(info.get("held").asBoolean());
        assertEquals(0, info.get("leases").size());
    }

    @Test(timeout = 30_000)
    public void syncChannels_probePublish_countsSent() throws Exception {
        service(SyncMessageManager.class).publish("it.admin.sync", "changed");

        eventually(() -> {
            JsonNode row = rowWith(json.readTree(execute("sync:channels --json")).get("syncChannels"), "channel",
                    "it.admin.sync");
            assertEquals(1, row.get("sent").asLong());
            assertTrue(row.get("plugin").isNull());
        });
        assertTrue(execute("sync:channels").contains("it.admin.sync"));
    }

    @Test(timeout = 30_000)
    public void nodeAdmin_serviceProperties_carryTotals() throws Exception {
        service(CacheManager.class).createCache(CacheOptions.builder("it-admin-totals").build())
                .get("absent", String.class);

        eventually(() -> {
            ServiceReference<NodeAdmin> reference = context.getServiceReference(NodeAdmin.class);
            assertNotNull("no NodeAdmin service", reference);
            assertEquals(node().nodeId(), reference.getProperty(NodeAdmin.NODE_ID_PROPERTY));
            Object misses = reference.getProperty(NodeAdmin.TOTALS_PREFIX + "cache.misses");
            assertTrue("cache.misses total " + misses + " is not a Long", misses instanceof Long);
            assertTrue("cache.misses total " + misses, (Long) misses >= 1);
        });
    }

    @Test(timeout = 30_000)
    public void help_cacheSet_statesArgumentsAndDurationForms() throws Exception {
        String help = execute("help cache:set");

        assertTrue(help, help.contains("Stores a JSON value"));
        assertTrue(help, help.contains("ISO-8601 such as PT30S"));
        assertTrue(help, help.contains("500ms"));
    }

    @Test(timeout = 30_000)
    public void errors_badInput_oneLineNamingValue() throws Exception {
        service(CacheManager.class).createCache(CacheOptions.builder("it-admin-errors").build());

        assertFailure("cache:get it-admin-nope k", "cache 'it-admin-nope' not found on node");
        assertFailure("cache:get it-admin-errors missing-key", "key 'missing-key' not found in cache");
        assertFailure("cache:set it-admin-errors k '{oops'", "'{oops' is not valid JSON");
        assertFailure("cache:set it-admin-errors k 1 soon", "ttl 'soon' is not a duration");
        assertFailure("pubsub:publish it.admin.events 'not json'", "'not json' is not valid JSON");
        assertFailure("queue:publish it.admin.jobs 1 --timeout 5min", "--timeout '5min' is not a duration");
        assertFailure("queue:dead it.admin.no-such-channel", "queue channel 'it.admin.no-such-channel' not found");
        assertFailure("lock:info it.admin.free", "lock key 'it.admin.free' is not held by any node");
    }

    /** Runs {@code command}, expects it to fail, and checks the one-line message that names the value. */
    private void assertFailure(String command, String expected) {
        try {
            String output = execute(command);
            fail(command + " succeeded: " + output);
        } catch (IllegalArgumentException e) {
            assertTrue(command + ": " + e.getMessage(), e.getMessage().contains(expected));
            assertFalse(command + ": " + e.getMessage(), e.getMessage().contains("\n"));
        } catch (Exception e) {
            throw new AssertionError(command + " failed with " + e + "; expected IllegalArgumentException", e);
        }
    }

    /** Returns the line of {@code output} that contains {@code text}. */
    private static String line(String output, String text) {
        return output.lines().filter(line -> line.contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + text + " in:\n" + output));
    }

    /** Returns the cells of a table line; cells are separated by two or more spaces. */
    private static List<String> columns(String line) {
        return List.of(line.strip().split(" {2,}"));
    }

    private static JsonNode rowWith(JsonNode rows, String field, String value) {
        for (JsonNode row : rows) {
            if (value.equals(row.path(field).asText())) {
                return row;
            }
        }
        throw new AssertionError("no row with " + field + " " + value + " in " + rows);
    }
}
