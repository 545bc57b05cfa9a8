package io.cohort.hazelcast;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.transaction.TransactionalMap;

import io.cohort.api.queue.DeadLetter;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.TaskRecord;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event queue adapter {@code hazelcast}: tasks survive the death of the member that runs them (at-least-once).
 *
 * <p>Each queue {@code q} has four structures, each with one backup: the ready tasks in FIFO order (IQueue
 * {@code cohort.queue.ready.q}), the tasks in flight by task id with the UUID of the member that took them (IMap
 * {@code cohort.queue.inflight.q}), the delayed retries with their due time ({@code cohort.queue.delayed.q}) and the
 * dead letters ({@code cohort.queue.dead.q}). A registry map lists every queue, so that every member maintains it.
 *
 * <p>{@link #take} polls the ready queue and records the task in flight in one two-phase transaction
 * ({@link Transactions}), so a member that dies during a take either took the task, which is then in flight under
 * its UUID, or did not, and the task is still ready. Requeue, dead-lettering and the moves that
 * {@link QueueMaintenance} makes are transactions too. When a member leaves the cluster, the others requeue its
 * in-flight tasks as their next attempt ({@link TaskRecord#nextAttempt()}), once each. Calls that settle a task
 * which another member owns now (because this member was taken for gone and its tasks requeued) are ignored with a
 * WARN; they would otherwise settle the other member's attempt.
 *
 * <p>A waiting {@link #take} keeps no transaction open. It waits on an item listener of the ready queue and polls
 * only when the queue contains tasks.
 *
 * <p><b>Warning:</b> the queues live in memory only. They survive the loss of one member at a time, but a full
 * cluster stop, or two members dying before the backups of the first are rebuilt, loses tasks. A member cut off
 * by a network partition is taken for gone, so its running tasks also run again on the other side. Dead letters are
 * ordered by {@link DeadLetter#deadAt()}, from the clocks of the members that stored them.
 */
@Component(service = EventQueueAdapter.class,
        property = Adapters.NAME_PROPERTY + "=" + HazelcastMember.ADAPTER_NAME)
public final class HazelcastEventQueueAdapter implements EventQueueAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastEventQueueAdapter.class);
    private static final Comparator<DeadLetter> OLDEST_FIRST = Comparator
            .comparing(DeadLetter::deadAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(DeadLetter::taskId, Comparator.nullsFirst(Comparator.<String>naturalOrder()));

    private final HazelcastInstance instance;
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private final Map<String, ReadySignal> signals = new ConcurrentHashMap<>();
    private final Map<String, UUID> signalListeners = new ConcurrentHashMap<>();
    /** The in-flight entries that {@link #take} wrote here and that are not settled yet, for {@link #complete}. */
    private final Map<TakenTask, InFlightTask> takenHere = new ConcurrentHashMap<>();
    private final QueueMaintenance maintenance;
    private final UUID registryListenerId;
    private final AtomicInteger workerNumber = new AtomicInteger();
    private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "cohort-queue-worker-" + workerNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    /** Creates the adapter on the node's member and starts maintaining the queues. */
    @Activate
    public HazelcastEventQueueAdapter(@Reference(name = "member") HazelcastMember member) {
        this(member.instance(), QueueTimings.DEFAULTS);
    }

    HazelcastEventQueueAdapter(HazelcastInstance instance, QueueTimings timings) {
        this.instance = instance;
        IMap<String, Long> registry = instance.getMap(GridNames.QUEUE_REGISTRY);
        this.registryListenerId = registry.addEntryListener(
                (EntryAddedListener<String, Long>) event -> queues.add(event.getKey()), false);
        // The maintenance's first sweep reads the registry at once on its own thread, because the first read of a
        // map on a new member waits for the partition table (about 0.1 s), and the node's start need not wait.
        this.maintenance = new QueueMaintenance(instance, queues, timings);
        maintenance.start();
        LOG.info("Hazelcast event queue adapter started; the first sweep reads the queue registry");
    }

    /**
     * Stops maintenance and returns every waiting {@link #take} with {@code null}, and later offers throw. The other
     * members requeue the tasks still in flight here once this member leaves the cluster.
     */
    @Deactivate
    void deactivate() {
        closed = true;
        maintenance.stop();
        try {
            instance.getMap(GridNames.QUEUE_REGISTRY).removeEntryListener(registryListenerId);
            signalListeners.forEach((queue, id) -> instance.getQueue(GridNames.readyQueue(queue))
                    .removeItemListener(id));
        } catch (HazelcastInstanceNotActiveException e) {
            LOG.debug("Listeners not removed: the member is stopping");
        }
        signals.values().forEach(ReadySignal::wakeAll);
        takenHere.clear();
        workers.shutdown();
        LOG.info("Hazelcast event queue adapter stopped");
    }

    @Override
    public void offer(String queue, TaskRecord task) {
        if (closed) {
            throw new IllegalStateException("the Hazelcast event queue adapter is stopped; task " + task.id()
                    + " was not queued on " + queue);
        }
        register(queue);
        QueueMaintenance.offer(readyQueue(queue), queue, task);
        LOG.debug("Queue {}: task {} attempt {} queued", queue, task.id(), task.attempt());
    }

    /**
     * Takes a task, waiting on this member's signal for the queue. The transaction that moves the task to in flight
     * runs to its end even if the calling thread is interrupted meanwhile. The task is then returned with the
     * interrupt flag set, so that no taken task stays in flight without a consumer to run it.
     */
    @Override
    public TaskRecord take(String queue, Duration wait) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("take on queue " + queue + " interrupted before it started");
        }
        try {
            register(queue);
            ReadySignal signal = signal(queue);
            IQueue<TaskRecord> ready = readyQueue(queue);
            long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
            while (!closed) {
                long seen = signal.generation();
                if (!ready.isEmpty()) {
                    TaskRecord task = uninterrupted(() -> takeReady(queue));
                    if (task != null) {
                        LOG.debug("Queue {}: task {} attempt {} taken", queue, task.id(), task.attempt());
                        return task;
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return null;
                }
                signal.awaitAdded(seen, remaining);
            }
            return null;
        } catch (HazelcastException e) {
            if (e.getCause() instanceof InterruptedException) {
                InterruptedException interrupted = new InterruptedException("take on queue " + queue
                        + " interrupted while reading the queue");
                interrupted.initCause(e);
                throw interrupted;
            }
            throw e;
        }
    }

    /**
     * Removes the in-flight entry that this member's {@link #take} wrote in one grid call, and reads the entry only
     * when it has changed since (the task was requeued meanwhile), to tell why.
     */
    @Override
    public void complete(String queue, String taskId) {
        InFlightTask written = takenHere.remove(new TakenTask(queue, taskId));
        uninterrupted(() -> {
            IMap<String, InFlightTask> inFlight = inFlightMap(queue);
            if (written != null && inFlight.remove(taskId, written)) {
                return null;
            }
            InFlightTask current = inFlight.get(taskId);
            if (current == null) {
                LOG.debug("Queue {}: task {} completed but no longer in flight", queue, taskId);
            } else if (!ownedElsewhere(queue, "completion", current) && !inFlight.remove(taskId, current)) {
                LOG.warn("Queue {}: ignored completion of task {}, which changed while it completed", queue,
                        taskId);
            }
            return null;
        });
    }

    /** Settles the task in flight here and queues {@code next}. A task no longer in flight is queued as well. */
    @Override
    public void requeue(String queue, TaskRecord next, Duration delay) {
        register(queue);
        long delayMillis = delay.isNegative() ? 0 : delay.toMillis();
        takenHere.remove(new TakenTask(queue, next.id()));
        uninterrupted(() -> Transactions.run(instance, context -> {
            TransactionalMap<String, InFlightTask> inFlight = context.getMap(GridNames.inFlightMap(queue));
            InFlightTask current = inFlight.getForUpdate(next.id());
            if (current != null && ownedElsewhere(queue, "requeue", current)) {
                return false;
            }
            if (current != null) {
                inFlight.delete(next.id());
            }
            if (delayMillis == 0) {
                QueueMaintenance.offer(context.getQueue(GridNames.readyQueue(queue)), queue, next);
            } else {
                context.<String, DelayedTask>getMap(GridNames.delayedMap(queue)).set(next.id(),
                        new DelayedTask(System.currentTimeMillis() + delayMillis, next));
            }
            return true;
        }));
    }

    /** Settles the task in flight here as a dead letter. A letter for a task no longer in flight is stored too. */
    @Override
    public void deadLetter(String queue, DeadLetter letter) {
        register(queue);
        takenHere.remove(new TakenTask(queue, letter.taskId()));
        uninterrupted(() -> Transactions.run(instance, context -> {
            TransactionalMap<String, InFlightTask> inFlight = context.getMap(GridNames.inFlightMap(queue));
            InFlightTask current = inFlight.getForUpdate(letter.taskId());
            if (current != null && ownedElsewhere(queue, "dead-lettering", current)) {
                return false;
            }
            if (current != null) {
                inFlight.delete(letter.taskId());
            }
            context.<String, DeadLetter>getMap(GridNames.deadLetterMap(queue)).set(letter.taskId(), letter);
            return true;
        }));
    }

    @Override
    public List<DeadLetter> deadLetters(String queue) {
        List<DeadLetter> letters = new ArrayList<>(deadLetterMap(queue).values());
        letters.sort(OLDEST_FIRST);
        return letters;
    }

    @Override
    public Optional<DeadLetter> removeDeadLetter(String queue, String taskId) {
        return Optional.ofNullable(deadLetterMap(queue).remove(taskId));
    }

    @Override
    public long pending(String queue) {
        return readyQueue(queue).size() + (long) instance.getMap(GridNames.delayedMap(queue)).size();
    }

    /**
     * Returns every queue in the cluster's queue registry, sorted. A queue stays registered after its last task is
     * settled, so the set also names empty queues.
     */
    @Override
    public Set<String> queueNames() {
        Set<String> names = new TreeSet<>(queues);
        names.addAll(instance.<String, Long>getMap(GridNames.QUEUE_REGISTRY).keySet());
        return names;
    }

    /** Returns how many tasks of {@code queue} are taken and not yet settled, on any member. */
    long inFlight(String queue) {
        return inFlightMap(queue).size();
    }

    private TaskRecord takeReady(String queue) {
        String owner = localOwner();
        InFlightTask written = Transactions.run(instance, context -> {
            TaskRecord task = context.<TaskRecord>getQueue(GridNames.readyQueue(queue)).poll();
            if (task == null) {
                return null;
            }
            InFlightTask entry = new InFlightTask(owner, System.currentTimeMillis(), task);
            context.<String, InFlightTask>getMap(GridNames.inFlightMap(queue)).set(task.id(), entry);
            return entry;
        });
        if (written == null) {
            return null;
        }
        takenHere.put(new TakenTask(queue, written.task().id()), written);
        return written.task();
    }

    /**
     * Runs grid work that must not stop halfway on a worker thread that no caller can interrupt, and waits for it
     * even if the calling thread is interrupted meanwhile, in which case the interrupt flag is set again on return.
     * An interrupt inside Hazelcast would otherwise fail the call after the grid may have applied it.
     */
    private <T> T uninterrupted(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, workers).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Logs and returns whether another member owns {@code current}, in which case this member must not settle it. */
    private boolean ownedElsewhere(String queue, String call, InFlightTask current) {
        String owner = localOwner();
        if (current.owner().equals(owner)) {
            return false;
        }
        LOG.warn("Queue {}: ignored {} of task {} attempt {}: member {} runs it now, not this member {}; this member "
                + "was probably taken for gone and its tasks requeued", queue, call, current.task().id(),
                current.task().attempt(), current.owner(), owner);
        return true;
    }

    private void register(String queue) {
        if (!queues.contains(queue)) {
            instance.<String, Long>getMap(GridNames.QUEUE_REGISTRY).putIfAbsent(queue, System.currentTimeMillis());
            queues.add(queue);
        }
    }

    private ReadySignal signal(String queue) {
        return signals.computeIfAbsent(queue, name -> {
            ReadySignal signal = new ReadySignal();
            signalListeners.put(name, readyQueue(name).addItemListener(signal, false));
            return signal;
        });
    }

    private String localOwner() {
        return instance.getCluster().getLocalMember().getUuid().toString();
    }

    private IQueue<TaskRecord> readyQueue(String queue) {
        return instance.getQueue(GridNames.readyQueue(queue));
    }

    private IMap<String, InFlightTask> inFlightMap(String queue) {
        return instance.getMap(GridNames.inFlightMap(queue));
    }

    private IMap<String, DeadLetter> deadLetterMap(String queue) {
        return instance.getMap(GridNames.deadLetterMap(queue));
    }

    /** A task id within its queue. */
    private record TakenTask(String queue, String taskId) {
    }
}
