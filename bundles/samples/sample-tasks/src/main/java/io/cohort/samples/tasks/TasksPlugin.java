package io.cohort.samples.tasks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.cohort.api.lock.LockManager;
import io.cohort.api.node.ConfigurationError;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.pubsub.Message;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.queue.TaskCancelledException;
import io.cohort.api.queue.TaskConsumer;
import io.cohort.api.queue.TaskContext;
import io.cohort.api.queue.TaskOptions;
import io.cohort.api.tx.TransactionManager;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs long tasks anywhere in the cluster: each task is a row that reports its progress, and a queued
 * {@link TaskRequest} that one node with a free slot takes.
 *
 * <p>{@link #submit} writes the row and publishes the task only after the row commits, so no node can take a task
 * whose row does not exist. A node runs up to {@code concurrency} tasks at once (configuration PID {@value #PID}).
 * A task whose node dies runs again on another node, from the progress its row recorded. {@link #cancel} marks the
 * row and, after the commit, publishes a {@link CancelRequest} to every node; the node that runs the task sets its
 * {@link CancellationSignal}, and the task stops after its current step. The row's flag also stops a task whose
 * node missed the message, at its next step.
 *
 * <p>A change of the configuration reloads the plugin: the running tasks are cancelled, go back to the queue and
 * continue from their progress. An invalid setting is replaced by its default and logged as an ERROR. It stays
 * registered as a {@link ConfigurationError}, which {@code cohort:info} and {@code cohort:plugins} list, until the
 * file is fixed. An unknown key, such as a misspelt one, is logged as a WARN.
 *
 * <p>A queued task without a task id fails each attempt with a message saying so, and after its retries it moves to
 * the dead letters of {@value #QUEUE_CHANNEL}, where {@code queue:dead} shows it.
 */
@Component(service = {Plugin.class, TasksPlugin.class}, configurationPid = TasksPlugin.PID,
        property = Plugin.NAME_PROPERTY + "=" + TasksPlugin.NAME)
public class TasksPlugin implements Plugin {

    /** The plugin name. */
    static final String NAME = "sample-tasks";

    /** The configuration PID; the file {@code etc/io.cohort.sample.tasks.cfg}. */
    static final String PID = "io.cohort.sample.tasks";

    /** Queue channel of the tasks. */
    static final String QUEUE_CHANNEL = "sample-tasks.run";

    /** Pub/sub channel of the cancel requests. */
    static final String CANCEL_CHANNEL = "sample-tasks.cancel";

    /** How many rows {@code tasks:list} shows. */
    static final int LIST_LIMIT = 50;

    private static final String SCHEMA_LOCK = NAME + ":create-table";
    private static final Duration SCHEMA_LOCK_TTL = Duration.ofSeconds(30);
    private static final int MAX_RETRIES = 3;

    /** The settings of {@value #PID}. */
    private static final Set<String> KNOWN_KEYS = new TreeSet<>(Set.of("concurrency", "step.ms"));

    /** Prefixes of the properties that configuration admin, FileInstall and SCR add, and of the plugin name. */
    private static final Set<String> FRAMEWORK_PREFIXES = Set.of("service.", "component.", "felix.", "osgi.",
            "objectClass", "cohort.plugin.");

    private static final Logger LOG = LoggerFactory.getLogger(TasksPlugin.class);

    /** The settings of PID {@value #PID}; the names are {@code concurrency} and {@code step.ms}. */
    @interface Config {

        /** Read as text, so that a value that is no number is reported instead of failing the component. */
        String concurrency() default "" + TaskSettings.DEFAULT_CONCURRENCY;

        String step_ms() default "" + TaskSettings.DEFAULT_STEP_MS;
    }

    @Reference
    private TransactionManager transactions;

    @Reference
    private EventQueue queue;

    @Reference
    private PubSubManager pubSub;

    @Reference
    private LockManager locks;

    /** The cancellation signals of the tasks this node runs, by task id. */
    private final Map<String, CancellationSignal> running = new ConcurrentHashMap<>();

    private volatile TaskSettings settings;
    private volatile String nodeId;
    private ServiceRegistration<ConfigurationError> invalidConfiguration;

    @Activate
    void activate(BundleContext context, Config config, Map<String, Object> properties) {
        for (String key : unknownKeys(properties)) {
            LOG.warn("Plugin {}: ignoring unknown setting '{}' in configuration {} (etc/{}.cfg); known settings: {}",
                    NAME, key, PID, PID, KNOWN_KEYS);
        }

        List<String> problems = new ArrayList<>();
        settings = TaskSettings.parse(config.concurrency(), config.step_ms(), problems::add);

        if (!problems.isEmpty()) {
            String message = String.join("; ", problems);
            LOG.error("Plugin {}: configuration {} is invalid, so the plugin runs with defaults until it is fixed: {}",
                    NAME, PID, message);
            invalidConfiguration = context.registerService(ConfigurationError.class,
                    new ConfigurationError(PID, message), null);
        }
    }

    @Deactivate
    void deactivate() {
        if (invalidConfiguration != null) {
            invalidConfiguration.unregister();
            invalidConfiguration = null;
        }
    }

    /** Returns the keys of {@code properties}, sorted, that are neither settings nor added by the framework. */
    static Set<String> unknownKeys(Map<String, Object> properties) {
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeIf(key -> KNOWN_KEYS.contains(key) || FRAMEWORK_PREFIXES.stream().anyMatch(key::startsWith));
        return unknown;
    }

    /** Creates the table, then subscribes to the cancel channel and the queue. */
    @Override
    public void beforeLoad(PluginContext context) throws Exception {
        nodeId = context.nodeId();
        locks.runExclusive(SCHEMA_LOCK, () -> {
            transactions.run(tx -> TaskTable.createIfAbsent(tx.connection()));
            return null;
        }, SCHEMA_LOCK_TTL);
        pubSub.subscribe(CANCEL_CHANNEL, CancelRequest.class, this::onCancelRequest);
        queue.subscribe(QUEUE_CHANNEL, TaskRequest.class, new Runner());
    }

    @Override
    public void load(PluginContext context) {
        LOG.info("Plugin {} loaded on node {}: {} task slots, {} ms per step", NAME, context.nodeId(),
                settings.concurrency(), settings.stepTime().toMillis());
    }

    /**
     * Stores a task row and publishes the task once the row has committed.
     *
     * @return the task id
     * @throws IllegalArgumentException if the kind or the number of steps is invalid
     */
    String submit(String kind, int steps) throws Exception {
        String submitter = requireLoaded();
        TaskRow row = TaskRow.queued(UUID.randomUUID().toString().substring(0, 13), kind, steps, submitter,
                Instant.now());
        Duration timeout = settings.stepTime().multipliedBy(2L * steps).plusMinutes(1);
        TaskOptions options = TaskOptions.defaults().withTimeout(timeout).withMaxRetries(MAX_RETRIES);
        AtomicReference<RuntimeException> publishFailure = new AtomicReference<>();

        transactions.run(tx -> {
            TaskTable.insert(tx.connection(), row);
            tx.afterCommit(() -> {
                try {
                    String queued = queue.publish(QUEUE_CHANNEL, new TaskRequest(row.id()), options);
                    LOG.info("Node {} submitted task {} ({} steps of kind {}) as queue task {}", submitter,
                            row.id(), steps, kind, queued);
                } catch (RuntimeException e) {
                    publishFailure.set(e);
                }
            });
        });

        RuntimeException failure = publishFailure.get();
        if (failure != null) {
            LOG.error("Node {} could not queue task {}; its row is marked FAILED", submitter, row.id(), failure);
            transactions.run(tx -> TaskTable.finish(tx.connection(), row.id(), TaskStatus.FAILED,
                    "could not be queued: " + failure.getMessage()));
            throw failure;
        }
        return row.id();
    }

    /**
     * Cancels a task: a queued task at once, a running one by a {@link CancelRequest} to the node that runs it.
     *
     * @return what happened, for people
     * @throws IllegalArgumentException if there is no such task or it has already ended
     */
    String cancel(String taskId) throws Exception {
        String requester = requireLoaded();

        TaskStatus before = transactions.call(tx -> {
            TaskRow row = TaskTable.read(tx.connection(), taskId, true)
                    .orElseThrow(() -> new IllegalArgumentException("task '" + taskId + "' not found; "
                            + "tasks:list shows the task ids"));
            if (row.status().isFinal()) {
                throw new IllegalArgumentException("task '" + taskId + "' has already ended: " + row.status());
            }
            if (row.status() == TaskStatus.QUEUED) {
                TaskTable.finish(tx.connection(), taskId, TaskStatus.CANCELLED,
                        "cancelled from node " + requester + " before it ran");
            } else {
                TaskTable.requestCancel(tx.connection(), taskId, "cancel requested from node " + requester
                        + " while running on node " + row.node());
                tx.afterCommit(() -> pubSub.publish(CANCEL_CHANNEL, new CancelRequest(taskId, requester)));
            }
            return row.status();
        });

        LOG.info("Node {} cancelled task {}, which was {}", requester, taskId, before);
        return before == TaskStatus.QUEUED ? "Task " + taskId + " cancelled before it ran.\n"
                : "Cancel of task " + taskId + " sent to every node; the node running it stops it after its "
                        + "current step.\n";
    }

    /** Returns the newest {@value #LIST_LIMIT} task rows, newest first. */
    List<TaskRow> list() throws Exception {
        requireLoaded();
        return transactions.call(tx -> TaskTable.newest(tx.connection(), LIST_LIMIT));
    }

    /** Returns how many tasks this node runs now. */
    int runningCount() {
        return running.size();
    }

    TaskSettings settings() {
        return settings;
    }

    String nodeId() {
        return requireLoaded();
    }

    private void onCancelRequest(Message<CancelRequest> message) {
        CancelRequest request = message.payload();
        CancellationSignal signal = running.get(request.taskId());
        if (signal != null && signal.cancel("cancelled from node " + request.requestedBy() + ", stopped on node "
                + nodeId)) {
            LOG.info("Node {} stops task {} at the request of node {}", nodeId, request.taskId(),
                    request.requestedBy());
        }
    }

    /** Runs one attempt of a task, from the progress its row recorded. */
    private void run(String taskId, TaskContext context) throws Exception {
        String node = nodeId;
        Optional<TaskRow> found = transactions.call(tx -> TaskTable.read(tx.connection(), taskId, false));
        if (found.isEmpty()) {
            LOG.warn("Node {} dropped queue task {}: no row {} in {}", node, context.taskId(), taskId,
                    TaskTable.TABLE);
            return;
        }
        TaskRow task = found.get();
        if (task.status().isFinal() || task.cancelRequested()) {
            if (!task.status().isFinal()) {
                finish(taskId, TaskStatus.CANCELLED, "cancelled before node " + node + " ran it");
            }
            LOG.info("Node {} skipped task {}: it is {}", node, taskId, task.status());
            return;
        }
        if (!transactions.call(tx -> TaskTable.markRunning(tx.connection(), taskId, node, context.attempt()))) {
            LOG.info("Node {} skipped task {}: it ended or was cancelled meanwhile", node, taskId);
            return;
        }

        LOG.info("Node {} runs task {} attempt {} from step {} of {}", node, taskId, context.attempt(),
                task.progress(), task.steps());
        CancellationSignal signal = new CancellationSignal();
        running.put(taskId, signal);
        try {
            StepLoop.Outcome outcome = StepLoop.run(task.progress(), task.steps(), settings.stepTime(), signal,
                    context, completed -> transactions.call(tx -> TaskTable.progress(tx.connection(), taskId,
                            completed)), "cancel requested in the task row, stopped on node " + node);
            if (outcome == StepLoop.Outcome.DONE) {
                finish(taskId, TaskStatus.DONE, "completed on node " + node + ", attempt " + context.attempt());
            } else {
                finish(taskId, TaskStatus.CANCELLED, signal.reason());
            }
            LOG.info("Node {} ended task {}: {}", node, taskId, outcome);
        } catch (TaskCancelledException e) {
            boolean last = context.attempt() > context.maxRetries();
            try {
                finish(taskId, last ? TaskStatus.FAILED : TaskStatus.QUEUED, "attempt " + context.attempt()
                        + " on node " + node + " stopped by the queue (timeout or node stop); "
                        + (last ? "no retry left" : "queued again"));
            } catch (Exception writeFailure) {
                // A node that stops may have closed its database pool already; the next attempt rewrites the row.
                LOG.warn("Node {} could not record the stop of task {} attempt {}", node, taskId, context.attempt(),
                        writeFailure);
            }
            throw e;
        } finally {
            running.remove(taskId);
        }
    }

    /** Writes the final state of a task, with the interrupt flag cleared for the write and restored after it. */
    private void finish(String taskId, TaskStatus status, String message) throws Exception {
        boolean interrupted = Thread.interrupted();
        try {
            transactions.run(tx -> TaskTable.finish(tx.connection(), taskId, status, message));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String requireLoaded() {
        String current = nodeId;
        if (current == null) {
            throw new IllegalStateException("plugin " + NAME + " is not loaded; see cohort:plugins for its state");
        }
        return current;
    }

    /** The queue consumer; its concurrency is the node's task slots. */
    final class Runner implements TaskConsumer<TaskRequest> {

        private final int slots = settings.concurrency();

        @Override
        public int concurrency() {
            return slots;
        }

        /**
         * Runs the task, or fails the attempt when the payload names no task row, so that the queue retries it and
         * then keeps it as a dead letter instead of counting it as done.
         *
         * @throws IllegalArgumentException if the payload has no task id
         */
        @Override
        public void process(TaskRequest request, TaskContext context) throws Exception {
            if (request == null || request.taskId() == null || request.taskId().isBlank()) {
                throw new IllegalArgumentException("queue task " + context.taskId() + " on channel " + QUEUE_CHANNEL
                        + " has no taskId; expected {\"taskId\":\"<id>\"} naming a row of " + TaskTable.TABLE
                        + ", as tasks:submit publishes");
            }
            run(request.taskId(), context);
        }
    }
}
