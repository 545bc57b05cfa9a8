package io.cohort.core.memory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.cohort.api.queue.DeadLetter;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.TaskRecord;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.node.NodeComponent;
import io.cohort.core.node.NodeSettings;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the tasks of each queue in this process: a ready deque, the delayed retries ordered by due time, the tasks in
 * flight (taken and not yet settled) and a bounded list of dead letters.
 *
 * <p>A graceful stop loses nothing: {@link #persist()} (called on deactivate) writes every ready, delayed and
 * in-flight task and every dead letter to one JSON file per queue under {@code <cohort.data>/queue/}, and the next
 * instance loads those files when it starts. A file stays on disk until the next {@link #persist()} replaces it, or
 * deletes it because its queue has become empty, so a process that dies after a restore still finds the saved tasks
 * at its next start. In-flight tasks come back as ready with the same attempt number, so a task that was running at
 * the stop runs again. Delayed retries keep their due time on the wall clock, so time spent stopped counts towards
 * their backoff.
 *
 * <p>The component is immediate, so that its tasks stay in memory while the managers that use it restart. It starts
 * even when the node configuration selects another queue adapter, so that an operator can switch
 * {@code queue.adapter} to {@code memory} at runtime and tasks saved by an earlier stop are kept. Its log lines then
 * state that it is on standby.
 *
 * <p>Thread safety: all methods may be called from any thread. Each queue has its own lock, and {@link #take} waits
 * on a condition of that lock.
 *
 * <p><b>Warning:</b> the files change only at a graceful stop. A process that dies without one loses the tasks
 * offered since its start and runs again, at its next start, the saved tasks that it had already settled. Calls that
 * settle a task after {@link #persist()} are ignored, because the file already contains the task as ready, so it runs
 * again after the restart.
 */
@Component(service = EventQueueAdapter.class, property = Adapters.NAME_PROPERTY + "=" + Adapters.MEMORY,
        immediate = true)
public final class MemoryEventQueueAdapter implements EventQueueAdapter {

    /** Default maximum number of dead letters per queue. Beyond it the oldest is dropped with a WARN. */
    public static final int DEFAULT_MAX_DEAD_LETTERS = 10_000;

    /** Name of the folder under the data directory that contains the saved queues. */
    public static final String FOLDER = "queue";

    private static final Logger LOG = LoggerFactory.getLogger(MemoryEventQueueAdapter.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final int FILE_FORMAT = 1;
    private static final int MAX_READABLE_FILE_NAME = 120;

    /** Maximum delay of a requeue, so that due times on the {@link System#nanoTime()} clock cannot overflow. */
    private static final Duration MAX_DELAY = Duration.ofDays(365);

    private final Map<String, QueueState> queues = new ConcurrentHashMap<>();
    private final Map<String, SavedQueue> savedQueues = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final JsonCodec codec = new JsonCodec();
    private final int maxDeadLetters;
    private volatile Path directory;
    private volatile boolean closed;
    private volatile String configuredAdapter;

    /** Creates an adapter for DS. {@link #activate} then chooses the directory and loads the saved queues. */
    public MemoryEventQueueAdapter() {
        this.maxDeadLetters = DEFAULT_MAX_DEAD_LETTERS;
    }

    /**
     * Creates an adapter that saves its queues in {@code directory} and loads the queue files that an earlier
     * instance saved there. The files stay until {@link #persist()} replaces or deletes them.
     *
     * @throws IOException if the directory cannot be created or listed
     */
    public MemoryEventQueueAdapter(Path directory) throws IOException {
        this(directory, DEFAULT_MAX_DEAD_LETTERS);
    }

    /** Creates an adapter as {@link #MemoryEventQueueAdapter(Path)} that keeps at most {@code maxDeadLetters}. */
    MemoryEventQueueAdapter(Path directory, int maxDeadLetters) throws IOException {
        this.maxDeadLetters = maxDeadLetters;
        restore(directory);
    }

    /** Loads the saved queues from {@code queue/} under the data directory, chosen as NodeComponent chooses it. */
    @Activate
    void activate(BundleContext context) throws IOException {
        String configured = context.getProperty(NodeComponent.DATA_DIR_PROPERTY);
        Path dataDir = configured == null || configured.isBlank()
                ? Paths.get(System.getProperty("user.dir"), "data")
                : Paths.get(configured);
        restore(dataDir.toAbsolutePath().normalize().resolve(FOLDER));
    }

    /**
     * Records the queue adapter that the node configuration selects, and logs whether this adapter is in use or on
     * standby when that changes after {@link #activate}. DS binds the settings before {@link #activate} when they
     * are registered by then, and again after each change of the configuration.
     */
    @Reference(name = "settings", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindSettings")
    void bindSettings(NodeSettings settings) {
        String previous = configuredAdapter;
        configuredAdapter = settings.queueAdapter();
        if (directory != null && !configuredAdapter.equals(previous)) {
            LOG.info("Memory event queue adapter on node {} is {}", settings.nodeId(), role());
        }
    }

    void unbindSettings(NodeSettings settings) {
        // Keeps the last known adapter, because a rebind follows when the configuration changes.
    }

    /**
     * Describes whether the event queue uses this adapter, as the node configuration last seen selects it: in use,
     * on standby, or not yet known while the node has no valid configuration.
     */
    String role() {
        String configured = configuredAdapter;
        if (configured == null) {
            return "started, and runs tasks only if the node configuration sets queue.adapter=memory";
        }
        if (Adapters.MEMORY.equals(configured)) {
            return "in use (queue.adapter=memory)";
        }
        return "on standby (queue.adapter=" + configured + "), so it runs no tasks unless queue.adapter is switched "
                + "to memory";
    }

    @Deactivate
    void deactivate() {
        persist();
    }

    @Override
    public void offer(String queue, TaskRecord task) {
        QueueState state = state(queue);
        state.lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("queue " + queue + " is stopped; task " + task.id()
                        + " was not queued");
            }
            state.ready.addLast(task);
            state.changed.signal();
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public TaskRecord take(String queue, Duration wait) throws InterruptedException {
        QueueState state = state(queue);
        long deadline = System.nanoTime() + wait.toNanos();
        state.lock.lockInterruptibly();
        try {
            while (true) {
                long now = System.nanoTime();
                TaskRecord task = closed ? null : state.pollReady(now);
                if (task != null) {
                    state.inFlight.put(task.id(), task);
                    if (state.hasWaiting()) {
                        // Passes the turn on, so that another taker waits for the next task or due time.
                        state.changed.signal();
                    }
                    return task;
                }
                long remaining = deadline - now;
                if (remaining <= 0) {
                    return null;
                }
                // A stopped adapter hands out nothing, so the due time of a delayed task does not matter then.
                state.changed.awaitNanos(closed ? remaining : Math.min(remaining, state.nanosUntilDue(now)));
            }
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public void complete(String queue, String taskId) {
        QueueState state = state(queue);
        state.lock.lock();
        try {
            if (ignoredAfterClose("complete", queue, taskId)) {
                return;
            }
            state.inFlight.remove(taskId);
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public void requeue(String queue, TaskRecord next, Duration delay) {
        QueueState state = state(queue);
        state.lock.lock();
        try {
            if (ignoredAfterClose("requeue", queue, next.id())) {
                return;
            }
            state.inFlight.remove(next.id());
            if (delay.isNegative() || delay.isZero()) {
                state.ready.addLast(next);
            } else {
                long delayNanos = delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY.toNanos() : delay.toNanos();
                state.delayed.add(new DelayedTask(System.nanoTime() + delayNanos, sequence.incrementAndGet(), next));
            }
            state.changed.signal();
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public void deadLetter(String queue, DeadLetter letter) {
        QueueState state = state(queue);
        state.lock.lock();
        try {
            if (ignoredAfterClose("deadLetter", queue, letter.taskId())) {
                return;
            }
            state.inFlight.remove(letter.taskId());
            addDeadLetter(queue, state, letter);
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public List<DeadLetter> deadLetters(String queue) {
        QueueState state = queues.get(queue);
        if (state == null) {
            return List.of();
        }
        state.lock.lock();
        try {
            return List.copyOf(state.deadLetters);
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public Optional<DeadLetter> removeDeadLetter(String queue, String taskId) {
        QueueState state = queues.get(queue);
        if (state == null) {
            return Optional.empty();
        }
        state.lock.lock();
        try {
            Iterator<DeadLetter> letters = state.deadLetters.iterator();
            while (letters.hasNext()) {
                DeadLetter letter = letters.next();
                if (letter.taskId().equals(taskId)) {
                    letters.remove();
                    return Optional.of(letter);
                }
            }
            return Optional.empty();
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public long pending(String queue) {
        QueueState state = queues.get(queue);
        if (state == null) {
            return 0;
        }
        state.lock.lock();
        try {
            return state.ready.size() + state.delayed.size();
        } finally {
            state.lock.unlock();
        }
    }

    /** Returns every queue that this adapter restored or that an offer, a take or a settling call named, sorted. */
    @Override
    public Set<String> queueNames() {
        return new TreeSet<>(queues.keySet());
    }

    /** Returns how many tasks of {@code queue} are taken and not yet settled. */
    public long inFlight(String queue) {
        QueueState state = queues.get(queue);
        if (state == null) {
            return 0;
        }
        state.lock.lock();
        try {
            return state.inFlight.size();
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Writes every queue to its file in the directory and stops this adapter. Later offers throw
     * {@link IllegalStateException}, takes return null after their wait, and settling calls are ignored. A queue
     * without tasks or dead letters has its file deleted. When a file cannot be written, its previous content stays
     * and an ERROR names the file, the cause, and how many tasks are lost or will run again. Calling it twice does
     * nothing.
     */
    public synchronized void persist() {
        if (closed) {
            return;
        }
        // Set before the snapshots, so each queue's lock orders every offer either into its snapshot or after the
        // stop, where it is rejected.
        closed = true;
        Path dir = directory;
        int files = 0;
        int failed = 0;
        for (Map.Entry<String, QueueState> entry : queues.entrySet()) {
            QueueFile file = snapshot(entry.getKey(), entry.getValue());
            if (file.ready().isEmpty() && file.delayed().isEmpty() && file.deadLetters().isEmpty()) {
                deleteSaved(file.queue());
                continue;
            }
            if (dir == null) {
                LOG.warn("Queue {} dropped {} tasks and {} dead letters at stop: no directory to save them in",
                        file.queue(), file.ready().size() + file.delayed().size(), file.deadLetters().size());
                continue;
            }
            if (write(dir, file)) {
                files++;
            } else {
                failed++;
            }
        }
        if (failed > 0) {
            LOG.error("Memory event queue stopped; saved {} queues in {} and failed to save {} (see the errors above)",
                    files, dir, failed);
        } else {
            LOG.info("Memory event queue stopped; saved {} queues in {}", files, dir);
        }
    }

    private void restore(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.directory = dir;
        deleteLeftoverTempFiles(dir);
        int tasks = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                tasks += load(file);
            }
        }
        LOG.info("Memory event queue adapter {}; restored {} tasks in {}", role(), tasks, dir);
    }

    /**
     * Deletes the temporary files of saves that did not finish. The queue file next to such a file, if any, still
     * contains the last complete save.
     */
    private static void deleteLeftoverTempFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX + TEMP_SUFFIX)) {
            for (Path temp : files) {
                try {
                    Files.delete(temp);
                    LOG.warn("Deleted {}, left by a save of a queue that did not finish; the queue's last complete "
                            + "save, if any, is in the file without {}", temp, TEMP_SUFFIX);
                } catch (IOException e) {
                    LOG.warn("Ignored {}, left by a save of a queue that did not finish: failed to delete it ({})",
                            temp, reason(e), e);
                }
            }
        }
    }

    /** Loads one saved queue and keeps its file. An unreadable file is renamed to {@code *.bad} and kept. */
    private int load(Path file) throws IOException {
        QueueFile saved;
        try {
            saved = codec.mapper().readValue(file.toFile(), QueueFile.class);
        } catch (IOException | RuntimeException e) {
            Path bad = file.resolveSibling(file.getFileName() + ".bad");
            Files.move(file, bad, StandardCopyOption.REPLACE_EXISTING);
            LOG.error("Failed to read saved queue file {}; renamed it to {} and skipped its tasks", file, bad, e);
            return 0;
        }

        QueueState state = state(saved.queue());
        long nowNanos = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        state.lock.lock();
        try {
            state.ready.addAll(saved.ready());
            for (SavedDelay delayed : saved.delayed()) {
                long waitMillis = Math.max(0, delayed.dueAtEpochMillis() - nowMillis);
                state.delayed.add(new DelayedTask(nowNanos + TimeUnit.MILLISECONDS.toNanos(waitMillis),
                        sequence.incrementAndGet(), delayed.task()));
            }
            for (DeadLetter letter : saved.deadLetters()) {
                addDeadLetter(saved.queue(), state, letter);
            }
        } finally {
            state.lock.unlock();
        }

        savedQueues.merge(saved.queue(), SavedQueue.of(file, saved), SavedQueue::plus);
        LOG.info("Queue {} restored {} ready, {} delayed tasks and {} dead letters from {}", saved.queue(),
                saved.ready().size(), saved.delayed().size(), saved.deadLetters().size(), file);
        return saved.ready().size() + saved.delayed().size();
    }

    /** Copies one queue for saving. In-flight tasks come first, as ready tasks with the same attempt number. */
    private QueueFile snapshot(String queue, QueueState state) {
        state.lock.lock();
        try {
            List<TaskRecord> ready = new ArrayList<>(state.inFlight.values());
            ready.addAll(state.ready);
            long nowNanos = System.nanoTime();
            long nowMillis = System.currentTimeMillis();
            List<DelayedTask> byDueTime = new ArrayList<>(state.delayed);
            byDueTime.sort(null);
            List<SavedDelay> delayed = new ArrayList<>();
            for (DelayedTask task : byDueTime) {
                long waitMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, task.dueNanos() - nowNanos));
                delayed.add(new SavedDelay(nowMillis + waitMillis, task.task()));
            }
            return new QueueFile(FILE_FORMAT, queue, ready, delayed, List.copyOf(state.deadLetters));
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Writes a temporary file, forces it to disk and renames it over the queue's file, so that a failure at any step
     * leaves the previous file as it was. On failure the temporary file is deleted.
     */
    private boolean write(Path dir, QueueFile file) {
        Path target = dir.resolve(fileName(file.queue()));
        Path temp = dir.resolve(target.getFileName() + TEMP_SUFFIX);
        try {
            byte[] json = codec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(file);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(json);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            deleteTemp(file.queue(), temp);
            logLostSave(file, target, e);
            return false;
        }

        SavedQueue previous = savedQueues.put(file.queue(), SavedQueue.of(target, file));
        if (previous != null) {
            deleteFiles(file.queue(), previous.files(), target);
        }
        forceDirectory(dir);
        LOG.info("Queue {} saved {} ready, {} delayed tasks and {} dead letters to {}", file.queue(),
                file.ready().size(), file.delayed().size(), file.deadLetters().size(), target);
        return true;
    }

    private static void deleteTemp(String queue, Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("Queue {} failed to delete the temporary file {} ({}); the next start deletes it", queue, temp,
                    reason(e), e);
        }
    }

    /** Logs a failed save with what the previous save in the file still contains, and what is lost. */
    private void logLostSave(QueueFile file, Path target, Exception e) {
        SavedQueue previous = savedQueues.getOrDefault(file.queue(), SavedQueue.NONE);
        int lost = 0;
        int inPrevious = 0;
        for (String taskId : taskIdsOf(file)) {
            if (previous.taskIds().contains(taskId)) {
                inPrevious++;
            } else {
                lost++;
            }
        }
        LOG.error("Queue {} failed to save {} tasks and {} dead letters to {}: {}. That file keeps its previous save "
                + "of {} tasks and {} dead letters: {} of the current tasks are in it and run again at the next "
                + "start, {} are lost, and {} tasks in it that already finished run again too", file.queue(),
                taskIdsOf(file).size(), file.deadLetters().size(), target, reason(e), previous.taskIds().size(),
                previous.deadLetters(), inPrevious, lost, previous.taskIds().size() - inPrevious, e);
    }

    /** Deletes the saved file of a queue that has no tasks or dead letters left, so its tasks do not run again. */
    private void deleteSaved(String queue) {
        SavedQueue previous = savedQueues.remove(queue);
        if (previous == null || directory == null) {
            return;
        }
        deleteFiles(queue, previous.files(), null);
        forceDirectory(directory);
        LOG.info("Queue {} has no tasks or dead letters left; deleted its saved file {}", queue, previous.files());
    }

    /** Deletes the files of an earlier save except {@code keep}, for example a file found under another name. */
    private static void deleteFiles(String queue, List<Path> files, Path keep) {
        for (Path file : files) {
            if (file.equals(keep)) {
                continue;
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.error("Queue {} failed to delete its earlier saved file {} ({}); its tasks run again at the next "
                        + "start", queue, file, reason(e), e);
            }
        }
    }

    /** Forces the directory entries to disk, so that a rename or delete survives a crash of the machine. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms, Windows among them, cannot open a directory, so this step is skipped there.
            LOG.debug("Could not force directory {} to disk", dir, e);
        }
    }

    /** Returns the ids of the ready and delayed tasks in a queue file. */
    private static Set<String> taskIdsOf(QueueFile file) {
        Set<String> ids = new LinkedHashSet<>();
        file.ready().forEach(task -> ids.add(task.id()));
        file.delayed().forEach(delayed -> ids.add(delayed.task().id()));
        return ids;
    }

    /** Returns the operating system's reason for a file error, such as "No space left on device". */
    private static String reason(Exception e) {
        if (e instanceof FileSystemException fileError && fileError.getReason() != null) {
            return fileError.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * Returns the file name of a queue: the URL-encoded queue name, or a readable prefix and a SHA-256 hash when the
     * encoded name would be too long for a file system. The file also stores the queue name, so loading never
     * decodes file names.
     */
    static String fileName(String queue) {
        String encoded = URLEncoder.encode(queue, StandardCharsets.UTF_8);
        if (encoded.length() <= MAX_READABLE_FILE_NAME) {
            return encoded + SUFFIX;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(queue.getBytes(StandardCharsets.UTF_8));
            return encoded.substring(0, 40) + "-" + HexFormat.of().formatHex(hash) + SUFFIX;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private void addDeadLetter(String queue, QueueState state, DeadLetter letter) {
        state.deadLetters.addLast(letter);
        while (state.deadLetters.size() > maxDeadLetters) {
            DeadLetter dropped = state.deadLetters.removeFirst();
            LOG.warn("Queue {} holds more than {} dead letters; dropped the oldest, task {} (dead since {})", queue,
                    maxDeadLetters, dropped.taskId(), dropped.deadAt());
        }
    }

    private boolean ignoredAfterClose(String call, String queue, String taskId) {
        if (closed) {
            LOG.warn("Ignored {} of task {} on queue {}: the adapter is stopped and saved the task as ready", call,
                    taskId, queue);
        }
        return closed;
    }

    private QueueState state(String queue) {
        return queues.computeIfAbsent(queue, name -> new QueueState());
    }

    /** The tasks of one queue, guarded by {@link #lock}. */
    private static final class QueueState {

        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        final ArrayDeque<TaskRecord> ready = new ArrayDeque<>();
        final PriorityQueue<DelayedTask> delayed = new PriorityQueue<>();
        final Map<String, TaskRecord> inFlight = new LinkedHashMap<>();
        final ArrayDeque<DeadLetter> deadLetters = new ArrayDeque<>();

        /** Moves the delayed tasks that are due to the ready deque, then removes and returns the first ready one. */
        TaskRecord pollReady(long nowNanos) {
            while (!delayed.isEmpty() && delayed.peek().dueNanos() - nowNanos <= 0) {
                ready.addLast(delayed.poll().task());
            }
            return ready.pollFirst();
        }

        boolean hasWaiting() {
            return !ready.isEmpty() || !delayed.isEmpty();
        }

        long nanosUntilDue(long nowNanos) {
            return delayed.isEmpty() ? Long.MAX_VALUE : Math.max(0, delayed.peek().dueNanos() - nowNanos);
        }
    }

    /** A retry waiting for its due time on the {@link System#nanoTime()} clock. Ties keep the order of requeue. */
    private record DelayedTask(long dueNanos, long sequence, TaskRecord task) implements Comparable<DelayedTask> {

        @Override
        public int compareTo(DelayedTask other) {
            int byDueTime = Long.compare(dueNanos - other.dueNanos, 0);
            return byDueTime != 0 ? byDueTime : Long.compare(sequence, other.sequence);
        }
    }

    /** A delayed retry as saved in a queue file, due at a wall-clock time in epoch milliseconds. */
    record SavedDelay(long dueAtEpochMillis, TaskRecord task) {
    }

    /** The content of one queue file. */
    record QueueFile(int format, String queue, List<TaskRecord> ready, List<SavedDelay> delayed,
            List<DeadLetter> deadLetters) {

        QueueFile {
            ready = ready == null ? List.of() : ready;
            delayed = delayed == null ? List.of() : delayed;
            deadLetters = deadLetters == null ? List.of() : deadLetters;
        }
    }

    /** The files on disk that contain a queue's last save, with the ids of its tasks and its number of dead letters. */
    private record SavedQueue(List<Path> files, Set<String> taskIds, int deadLetters) {

        static final SavedQueue NONE = new SavedQueue(List.of(), Set.of(), 0);

        static SavedQueue of(Path file, QueueFile content) {
            return new SavedQueue(List.of(file), taskIdsOf(content), content.deadLetters().size());
        }

        SavedQueue plus(SavedQueue other) {
            List<Path> allFiles = new ArrayList<>(files);
            allFiles.addAll(other.files);
            Set<String> allIds = new LinkedHashSet<>(taskIds);
            allIds.addAll(other.taskIds);
            return new SavedQueue(List.copyOf(allFiles), Set.copyOf(allIds), deadLetters + other.deadLetters);
        }
    }
}
