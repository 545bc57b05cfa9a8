package io.cohort.core.memory;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.cohort.api.queue.DeadLetter;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.TaskRecord;
import io.cohort.core.node.NodeSettings;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class MemoryEventQueueAdapterTest {

    private static final String QUEUE = "test:orders/eu";
    private static final String OTHER_QUEUE = "test:mail";

    @Rule
    public final Timeout timeout = Timeout.seconds(20);

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void role_otherAdapterConfigured_onStandby() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath());

        adapter.bindSettings(settings("hazelcast"));

        assertTrue(adapter.role(), adapter.role().startsWith("on standby (queue.adapter=hazelcast)"));
    }

    @Test
    public void role_switchedToMemory_inUse() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath());
        adapter.bindSettings(settings("hazelcast"));

        adapter.bindSettings(settings(Adapters.MEMORY));

        assertEquals("in use (queue.adapter=memory)", adapter.role());
    }

    @Test
    public void persist_everyTaskState_restoredByNewAdapter() throws Exception {
        Path dir = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter first = new MemoryEventQueueAdapter(dir);
        for (String id : List.of("a", "b", "c", "d", "e")) {
            first.offer(QUEUE, task(id));
        }
        first.offer(OTHER_QUEUE, task("m"));
        TaskRecord inFlight = first.take(QUEUE, Duration.ZERO);
        TaskRecord delayedLong = first.take(QUEUE, Duration.ZERO);
        first.requeue(QUEUE, delayedLong.nextAttempt(), Duration.ofMinutes(1));
        TaskRecord delayedShort = first.take(QUEUE, Duration.ZERO);
        first.requeue(QUEUE, delayedShort.nextAttempt(), Duration.ofSeconds(3));
        TaskRecord dead = first.take(QUEUE, Duration.ZERO);
        DeadLetter letter = deadLetter(dead);
        first.deadLetter(QUEUE, letter);

        first.persist();

        assertEquals(2, jsonFiles(dir).size());
        MemoryEventQueueAdapter second = new MemoryEventQueueAdapter(dir);
        assertEquals(2, jsonFiles(dir).size());
        assertEquals(4, second.pending(QUEUE));
        assertEquals(1, second.pending(OTHER_QUEUE));
        assertEquals(List.of(letter), second.deadLetters(QUEUE));

        TaskRecord restoredInFlight = second.take(QUEUE, Duration.ZERO);
        assertEquals("a", restoredInFlight.id());
        assertEquals(1, restoredInFlight.attempt());
        assertArrayEquals(inFlight.payload(), restoredInFlight.payload());
        assertEquals(inFlight.publishedAtMillis(), restoredInFlight.publishedAtMillis());
        assertEquals(inFlight.timeoutMillis(), restoredInFlight.timeoutMillis());
        assertEquals("e", second.take(QUEUE, Duration.ZERO).id());
        assertNull(second.take(QUEUE, Duration.ZERO));

        TaskRecord restoredShort = second.take(QUEUE, Duration.ofSeconds(10));
        assertEquals("c", restoredShort.id());
        assertEquals(2, restoredShort.attempt());
        assertNull(second.take(QUEUE, Duration.ofMillis(100)));
        assertEquals(1, second.pending(QUEUE));
        assertEquals("m", second.take(OTHER_QUEUE, Duration.ZERO).id());
    }

    @Test
    public void persist_thenOffer_throwsIllegalState() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath());
        adapter.persist();

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> adapter.offer(QUEUE, task("late")));

        assertTrue(error.getMessage(), error.getMessage().contains(QUEUE));
    }

    @Test
    public void persist_thenSettle_keepsSavedTaskAsReady() throws Exception {
        Path dir = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter first = new MemoryEventQueueAdapter(dir);
        first.offer(QUEUE, task("a"));
        TaskRecord takenTask = first.take(QUEUE, Duration.ZERO);
        first.persist();

        first.complete(QUEUE, takenTask.id());

        MemoryEventQueueAdapter second = new MemoryEventQueueAdapter(dir);
        assertEquals("a", second.take(QUEUE, Duration.ZERO).id());
    }

    @Test
    public void restore_thenCrash_savedTasksRestoredAgain() throws Exception {
        Path dir = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter first = new MemoryEventQueueAdapter(dir);
        first.offer(QUEUE, task("a"));
        first.offer(QUEUE, task("b"));
        first.persist();

        // The second adapter completes task a and ends without persist(), as a killed process does.
        MemoryEventQueueAdapter second = new MemoryEventQueueAdapter(dir);
        second.complete(QUEUE, second.take(QUEUE, Duration.ZERO).id());
        MemoryEventQueueAdapter third = new MemoryEventQueueAdapter(dir);

        assertEquals(2, third.pending(QUEUE));
        assertEquals("a", third.take(QUEUE, Duration.ZERO).id());
        assertEquals("b", third.take(QUEUE, Duration.ZERO).id());
    }

    @Test
    public void persist_allTasksCompleted_deletesSavedFile() throws Exception {
        Path dir = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter first = new MemoryEventQueueAdapter(dir);
        first.offer(QUEUE, task("a"));
        first.persist();
        MemoryEventQueueAdapter second = new MemoryEventQueueAdapter(dir);
        second.complete(QUEUE, second.take(QUEUE, Duration.ZERO).id());

        second.persist();

        assertEquals(List.of(), jsonFiles(dir));
        assertEquals(0, new MemoryEventQueueAdapter(dir).pending(QUEUE));
    }

    @Test
    public void persist_renamedFile_leavesOneFile() throws Exception {
        Path dir = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter first = new MemoryEventQueueAdapter(dir);
        first.offer(QUEUE, task("a"));
        first.persist();
        Path saved = dir.resolve(MemoryEventQueueAdapter.fileName(QUEUE));
        Files.move(saved, dir.resolve("renamed.json"));
        MemoryEventQueueAdapter second = new MemoryEventQueueAdapter(dir);

        second.persist();

        assertEquals(List.of(saved), jsonFiles(dir));
        assertEquals(1, new MemoryEventQueueAdapter(dir).pending(QUEUE));
    }

    @Test
    public void persist_diskFull_keepsPreviousFile() throws Exception {
        Path deviceFull = Path.of("/dev/full");
        assumeTrue("needs /dev/full, which fails every write with ENOSPC", Files.isWritable(deviceFull));
        Path dir = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter first = new MemoryEventQueueAdapter(dir);
        first.offer(QUEUE, task("a"));
        first.offer(QUEUE, task("b"));
        first.persist();
        Path saved = dir.resolve(MemoryEventQueueAdapter.fileName(QUEUE));
        byte[] previous = Files.readAllBytes(saved);
        MemoryEventQueueAdapter second = new MemoryEventQueueAdapter(dir);
        second.offer(QUEUE, task("c"));
        // The save writes its temporary file through this link, so the write fails as on a full disk.
        Path temp = dir.resolve(saved.getFileName() + ".tmp");
        Files.createSymbolicLink(temp, deviceFull);

        second.persist();

        assertArrayEquals(previous, Files.readAllBytes(saved));
        assertFalse(Files.exists(temp, LinkOption.NOFOLLOW_LINKS));
        assertEquals(2, new MemoryEventQueueAdapter(dir).pending(QUEUE));
    }

    @Test
    public void restore_leftoverTempFile_deletedAndSkipped() throws Exception {
        Path dir = folder.newFolder("queue").toPath();
        MemoryEventQueueAdapter first = new MemoryEventQueueAdapter(dir);
        first.offer(QUEUE, task("a"));
        first.persist();
        Path saved = dir.resolve(MemoryEventQueueAdapter.fileName(QUEUE));
        Path temp = dir.resolve(saved.getFileName() + ".tmp");
        Files.writeString(temp, "{\"format\":1,\"queue\":\"" + QUEUE, StandardCharsets.UTF_8);

        MemoryEventQueueAdapter second = new MemoryEventQueueAdapter(dir);

        assertFalse(Files.exists(temp));
        assertTrue(Files.exists(saved));
        assertEquals(1, second.pending(QUEUE));
    }

    @Test
    public void restore_unreadableFile_keptAsBadAndSkipped() throws Exception {
        Path dir = folder.newFolder("queue").toPath();
        Files.writeString(dir.resolve("broken.json"), "{not json", StandardCharsets.UTF_8);

        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(dir);

        assertTrue(Files.exists(dir.resolve("broken.json.bad")));
        assertFalse(Files.exists(dir.resolve("broken.json")));
        assertEquals(0, adapter.pending(QUEUE));
    }

    @Test
    public void take_emptyQueue_returnsNullAfterWait() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath());
        long start = System.nanoTime();

        TaskRecord task = adapter.take(QUEUE, Duration.ofMillis(150));

        assertNull(task);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150));
    }

    @Test
    public void take_waiting_returnsTaskOfferedMeanwhile() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath());
        CompletableFuture<TaskRecord> takenTask = CompletableFuture.supplyAsync(() -> {
            try {
                return adapter.take(QUEUE, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        });

        adapter.offer(QUEUE, task("a"));

        assertEquals("a", takenTask.get(5, TimeUnit.SECONDS).id());
        assertEquals(1, adapter.inFlight(QUEUE));
        assertEquals(0, adapter.pending(QUEUE));
    }

    @Test
    public void take_delayedRetry_returnedOnceDue() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath());
        adapter.offer(QUEUE, task("a"));
        TaskRecord first = adapter.take(QUEUE, Duration.ZERO);
        long requeuedAt = System.nanoTime();
        adapter.requeue(QUEUE, first.nextAttempt(), Duration.ofMillis(200));

        TaskRecord early = adapter.take(QUEUE, Duration.ZERO);
        TaskRecord due = adapter.take(QUEUE, Duration.ofSeconds(5));

        assertNull(early);
        assertEquals(2, due.attempt());
        assertTrue(System.nanoTime() - requeuedAt >= TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    public void deadLetter_overLimit_dropsOldest() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath(), 3);
        for (String id : List.of("a", "b", "c", "d", "e")) {
            adapter.offer(QUEUE, task(id));
            adapter.deadLetter(QUEUE, deadLetter(adapter.take(QUEUE, Duration.ZERO)));
        }

        List<String> keptIds = adapter.deadLetters(QUEUE).stream().map(DeadLetter::taskId).collect(Collectors.toList());

        assertEquals(List.of("c", "d", "e"), keptIds);
        assertEquals(0, adapter.inFlight(QUEUE));
    }

    @Test
    public void removeDeadLetter_knownId_removesIt() throws Exception {
        MemoryEventQueueAdapter adapter = new MemoryEventQueueAdapter(folder.newFolder("queue").toPath());
        adapter.offer(QUEUE, task("a"));
        DeadLetter letter = deadLetter(adapter.take(QUEUE, Duration.ZERO));
        adapter.deadLetter(QUEUE, letter);

        assertEquals(letter, adapter.removeDeadLetter(QUEUE, "a").orElseThrow());
        assertTrue(adapter.removeDeadLetter(QUEUE, "a").isEmpty());
        assertEquals(List.of(), adapter.deadLetters(QUEUE));
    }

    @Test
    public void fileName_longQueueNames_shortAndDistinct() {
        String prefix = "app:" + "/".repeat(150);

        String first = MemoryEventQueueAdapter.fileName(prefix + "a");
        String second = MemoryEventQueueAdapter.fileName(prefix + "b");

        assertTrue(first, first.length() <= 255);
        assertNotEquals(first, second);
        assertEquals("app%3Aorders%2Feu.json", MemoryEventQueueAdapter.fileName("app:orders/eu"));
    }

    private static TaskRecord task(String id) {
        return new TaskRecord(id, "orders/eu", ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8), 1, 2,
                5_000, 100, 1_700_000_000_000L);
    }

    private static DeadLetter deadLetter(TaskRecord task) {
        return new DeadLetter(task.id(), task.channel(), new String(task.payload(), StandardCharsets.UTF_8),
                task.attempt(), "java.lang.IllegalStateException: broken",
                Instant.ofEpochMilli(task.publishedAtMillis()), Instant.parse("2026-12-04T10:15:30.123456789Z"),
                new TaskOptions(Duration.ofMillis(task.timeoutMillis()), task.maxRetries(),
                        Duration.ofMillis(task.backoffMillis())));
    }

    private static List<Path> jsonFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.toString().endsWith(".json")).collect(Collectors.toList());
        }
    }

    private static NodeSettings settings(String queueAdapter) {
        return new NodeSettings("test", "node-1", Path.of("target"), Adapters.MEMORY, Adapters.MEMORY, queueAdapter,
                Adapters.MEMORY, Duration.ofSeconds(1));
    }
}
