package io.cohort.itests.crash.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockHandle;
import io.cohort.api.lock.LockManager;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskContext;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.sync.SyncMessage;
import io.cohort.api.sync.SyncOptions;
import io.cohort.api.tx.TransactionManager;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Test plugin for the crash tests, deployed into each node process. It consumes channel {@value #WORK_CHANNEL} and
 * offers Gogo commands in scope {@code crash} that the tests run through {@code bin/cohort client}.
 *
 * <p>Each task sleeps {@value #TASK_MILLIS} ms and then appends the line {@code <task id> <attempt> <node id>} to
 * {@code <cohort.data>/}{@value #RUNS_FILE}. Each line is written with one {@code write} call on a file opened for
 * appending, so the lines of concurrent workers do not interleave. A written line is in the operating system's page
 * cache, which survives a SIGKILL of the node. The file is not synced to disk, which only a crash of the machine
 * would need.
 *
 * <p>Commands:
 * <ul>
 *   <li>{@code crash:publish N} publishes N tasks and prints their ids, one per line.</li>
 *   <li>{@code crash:counts} prints {@code runs=<recorded runs> running=<attempts running now>} for this node.</li>
 *   <li>{@code crash:hold KEY} acquires KEY with a ttl of {@value #HOLD_TTL_MINUTES} minutes and never releases it,
 *       then prints {@code held KEY token <fence token>}.</li>
 *   <li>{@code crash:acquire KEY WAIT_MS} acquires KEY, waiting at most WAIT_MS (0 tries once without waiting),
 *       prints {@code acquired KEY token <fence token> after <ms> ms} and releases it. It fails when the key stays
 *       held for the whole wait.</li>
 *   <li>{@code crash:commitAndHang LABEL} sends the durable sync message LABEL on channel {@value #DURABLE_CHANNEL}
 *       in a transaction, and blocks that transaction's thread in its first after-commit callback, so that the
 *       node never wakes its outbox relay for the message. It prints {@code committed LABEL} once the commit is
 *       done. The test then kills the node between commit and send.</li>
 * </ul>
 *
 * <p>The plugin also creates the cache {@value #SHARED_CACHE} on the cluster store, and consumes channel
 * {@value #FAILING_CHANNEL}, whose tasks always fail, so that shell commands have a cache and dead letters to show.
 *
 * <p>Every sync message on {@value #DURABLE_CHANNEL} that the plugin handles is appended to
 * {@code <cohort.data>/}{@value #SYNC_FILE} as the line {@code <payload> <message id> <source node> <node id>}.
 */
@Component(service = Plugin.class, property = {
    Plugin.NAME_PROPERTY + "=" + CrashPlugin.NAME,
    "osgi.command.scope=crash",
    "osgi.command.function=publish",
    "osgi.command.function=counts",
    "osgi.command.function=hold",
    "osgi.command.function=acquire",
    "osgi.command.function=commitAndHang"
})
public class CrashPlugin implements Plugin {

    /** The plugin name. */
    public static final String NAME = "crash";

    /** The channel whose tasks the plugin runs. */
    public static final String WORK_CHANNEL = "crash.work";

    /** The channel whose tasks always fail with {@code rejected <payload>}. */
    public static final String FAILING_CHANNEL = "crash.fail";

    /** The cache the plugin creates on the {@code hazelcast} store. */
    public static final String SHARED_CACHE = "crash.shared";

    /** Worker threads of the consumer on each node. */
    public static final int CONCURRENCY = 4;

    /** How long each task works before it records its run. */
    public static final long TASK_MILLIS = 200;

    /** The file, relative to the node's data directory, that every recorded run is appended to. */
    public static final String RUNS_FILE = "crash/runs.log";

    /** The sync channel of {@code crash:commitAndHang}. */
    public static final String DURABLE_CHANNEL = "durable";

    /** The file, relative to the node's data directory, that every handled durable sync message is appended to. */
    public static final String SYNC_FILE = "crash/sync.log";

    /** Framework property with the node's data directory. */
    static final String DATA_DIR_PROPERTY = "cohort.data";

    static final long HOLD_TTL_MINUTES = 10;

    /** How long {@code crash:hold} waits for its key, below the 30 s after which the node ends a client request. */
    private static final Duration HOLD_WAIT = Duration.ofSeconds(20);

    /** Lease of the grant that {@code crash:acquire} takes and releases at once. */
    private static final Duration ACQUIRE_TTL = Duration.ofMinutes(1);

    private static final int MAX_PUBLISH = 100_000;

    /** A failed attempt is retried after 100 ms, so that its next attempt runs within a test's time limit. */
    private static final TaskOptions TASK_OPTIONS = TaskOptions.defaults()
            .withTimeout(Duration.ofSeconds(30))
            .withBackoff(Duration.ofMillis(100));

    @Reference
    private EventQueue queue;

    @Reference
    private LockManager locks;

    @Reference
    private TransactionManager transactions;

    @Reference
    private CacheManager caches;

    private final AtomicLong recordedRuns = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();

    /** Grants of {@code crash:hold}, kept so that nothing releases them before the bundle stops. */
    private final List<LockHandle> heldGrants = new CopyOnWriteArrayList<>();

    private Path runsFile;
    private Path syncFile;
    private volatile String nodeId;
    private volatile PluginContext pluginContext;

    @Activate
    void activate(BundleContext context) {
        String dataDir = context.getProperty(DATA_DIR_PROPERTY);
        if (dataDir == null || dataDir.isBlank()) {
            throw new IllegalStateException("framework property " + DATA_DIR_PROPERTY + " is not set; the crash "
                    + "plugin needs the node's data directory for " + RUNS_FILE);
        }
        runsFile = Path.of(dataDir).resolve(RUNS_FILE);
        syncFile = Path.of(dataDir).resolve(SYNC_FILE);
    }

    @Override
    public void load(PluginContext context) throws IOException {
        nodeId = context.nodeId();
        pluginContext = context;
        Files.createDirectories(runsFile.getParent());
        queue.subscribe(WORK_CHANNEL, String.class, new Worker());
        queue.subscribe(FAILING_CHANNEL, String.class, (payload, task) -> {
            throw new IllegalStateException("rejected " + payload);
        });
        caches.createCache(CacheOptions.builder(SHARED_CACHE).store("hazelcast").build());
    }

    /** Publishes {@code count} tasks on {@value #WORK_CHANNEL} and returns their ids, one per line. */
    public String publish(int count) {
        if (count < 1 || count > MAX_PUBLISH) {
            throw new IllegalArgumentException("count " + count + " is invalid; expected 1 to " + MAX_PUBLISH);
        }
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < count; i++) {
            ids.append(queue.publish(WORK_CHANNEL, "task-" + i, TASK_OPTIONS)).append('\n');
        }
        return ids.toString();
    }

    /**
     * Commits the durable sync message {@code label} and leaves the committing thread blocked before the outbox can
     * wake the relay; returns {@code committed LABEL} once the transaction has committed.
     *
     * <p>The transaction runs callbacks in registration order, so the blocking callback, registered before the
     * message, runs before the outbox's own callback. The thread stays blocked until the node dies or the bundle
     * stops.
     */
    public String commitAndHang(String label) throws InterruptedException {
        PluginContext context = pluginContext;
        if (context == null) {
            throw new IllegalStateException("plugin " + NAME + " is not loaded");
        }
        CountDownLatch committed = new CountDownLatch(1);
        Thread committer = new Thread(() -> {
            try {
                transactions.run(transaction -> {
                    transaction.afterCommit(() -> {
                        committed.countDown();
                        blockUntilInterrupted();
                    });
                    context.sendSync(DURABLE_CHANNEL, label, SyncOptions.durable(transaction));
                });
            } catch (RuntimeException e) {
                System.err.println("crash:commitAndHang " + label + " failed: " + e);
            }
        }, "crash-commit-" + label);
        committer.setDaemon(true);
        committer.start();
        if (!committed.await(HOLD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            committer.interrupt();
            throw new IllegalStateException("the transaction of " + label + " did not commit within "
                    + HOLD_WAIT.toMillis() + " ms");
        }
        return "committed " + label;
    }

    @Override
    public void handleSyncMessage(SyncMessage message) throws IOException {
        if (!message.channel().equals(DURABLE_CHANNEL)) {
            return;
        }
        String line = message.payload(String.class) + " " + message.id() + " " + message.sourceNode() + " " + nodeId
                + "\n";
        Files.createDirectories(syncFile.getParent());
        Files.write(syncFile, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static void blockUntilInterrupted() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns the runs this node recorded since the plugin loaded and the attempts it runs now. */
    public String counts() {
        return "runs=" + recordedRuns.get() + " running=" + running.get();
    }

    /** Acquires {@code key} with a long ttl and keeps it until the bundle stops; returns the fence token. */
    public String hold(String key) throws InterruptedException {
        LockHandle handle = acquireWithin(key, Duration.ofMinutes(HOLD_TTL_MINUTES), HOLD_WAIT);
        heldGrants.add(handle);
        return "held " + key + " token " + handle.fenceToken();
    }

    /**
     * Acquires {@code key} within {@code waitMillis}, releases it and returns its fence token and the wait.
     *
     * @throws IllegalStateException if the key stayed held for the whole wait
     */
    public String acquire(String key, long waitMillis) throws InterruptedException {
        if (waitMillis < 0) {
            throw new IllegalArgumentException("wait " + waitMillis + " ms is invalid; expected 0 or more");
        }
        long start = System.nanoTime();
        LockHandle handle;
        if (waitMillis == 0) {
            Optional<LockHandle> granted = locks.tryAcquire(key, ACQUIRE_TTL);
            handle = granted.orElseThrow(() -> new IllegalStateException(key + " is held by another owner"));
        } else {
            handle = acquireWithin(key, ACQUIRE_TTL, Duration.ofMillis(waitMillis));
        }
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        try {
            return "acquired " + key + " token " + handle.fenceToken() + " after " + waited + " ms";
        } finally {
            handle.release();
        }
    }

    /**
     * Runs the blocking {@link LockManager#acquire} on its own thread and waits for it at most {@code wait}. A grant
     * that arrives after the wait ended is released at once.
     *
     * @throws IllegalStateException if the key stayed held for the whole wait, or the request failed
     */
    private LockHandle acquireWithin(String key, Duration ttl, Duration wait) throws InterruptedException {
        CompletableFuture<LockHandle> grant = new CompletableFuture<>();
        Thread requester = new Thread(() -> {
            try {
                LockHandle handle = locks.acquire(key, ttl);
                if (!grant.complete(handle)) {
                    handle.release();
                }
            } catch (InterruptedException | RuntimeException e) {
                grant.completeExceptionally(e);
            }
        }, "crash-lock-request-" + key);
        requester.setDaemon(true);
        requester.start();
        try {
            return grant.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (!grant.cancel(false)) {
                return grant.join();
            }
            requester.interrupt();
            throw new IllegalStateException(key + " was not acquired within " + wait.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException("acquiring " + key + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            grant.cancel(false);
            requester.interrupt();
            throw e;
        }
    }

    private void record(String taskId, int attempt) throws IOException {
        byte[] line = (taskId + " " + attempt + " " + nodeId + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(runsFile, line, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        recordedRuns.incrementAndGet();
    }

    /** Works {@value #TASK_MILLIS} ms on each task, then records the run. */
    private final class Worker implements TaskConsumer<String> {

        @Override
        public int concurrency() {
            return CONCURRENCY;
        }

        @Override
        public void process(String payload, TaskContext context) throws Exception {
            running.incrementAndGet();
            try {
                Thread.sleep(TASK_MILLIS);
                record(context.taskId(), context.attempt());
            } finally {
                running.decrementAndGet();
            }
        }
    }
}
