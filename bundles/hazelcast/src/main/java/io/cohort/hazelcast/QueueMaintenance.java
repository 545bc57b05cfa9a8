package io.cohort.hazelcast;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import com.hazelcast.transaction.TransactionalMap;
import com.hazelcast.transaction.TransactionalQueue;

import io.cohort.api.spi.TaskRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background work of the queue adapter on one member: it moves due delayed retries to the ready queues, and
 * requeues the in-flight tasks of members that left the cluster as their next attempt.
 *
 * <p>Every member runs it. The delayed pump and the periodic sweep look only at the partitions this member owns, so
 * each entry has one mover in a stable cluster. When a member leaves, every member queries the whole in-flight map
 * for the tasks of that member at once. In every case the move is a transaction that first locks and re-reads the
 * entry, so of several members that race for one entry exactly one moves it and the others find it gone.
 */
final class QueueMaintenance {

    private static final Logger LOG = LoggerFactory.getLogger(QueueMaintenance.class);

    private final HazelcastInstance instance;
    private final Set<String> queues;
    private final QueueTimings timings;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            runnable -> new Thread(runnable, "cohort-queue-maintenance-1"));
    private UUID membershipListenerId;
    /** Whether a sweep has read the registry. Only the scheduler's thread uses it. */
    private boolean registryRead;

    /** @param queues the names of the queues to maintain; a live set that the adapter adds to */
    QueueMaintenance(HazelcastInstance instance, Set<String> queues, QueueTimings timings) {
        this.instance = instance;
        this.queues = queues;
        this.timings = timings;
    }

    /** Starts the pump and the sweep; the first sweep runs at once, for tasks of members that left while none ran. */
    void start() {
        membershipListenerId = instance.getCluster().addMembershipListener(new MemberLeft());
        long pumpMillis = timings.pumpInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::pumpAll, pumpMillis, pumpMillis, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::sweepAll, 0, timings.sweepInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void stop() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Queue maintenance did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            instance.getCluster().removeMembershipListener(membershipListenerId);
        } catch (HazelcastInstanceNotActiveException e) {
            LOG.debug("Membership listener not removed: the member is stopping");
        }
    }

    /** Moves the due delayed retries of this member's partitions to their ready queues. */
    void pumpAll() {
        for (String queue : queues) {
            try {
                pump(queue);
            } catch (HazelcastInstanceNotActiveException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Moving due retries of queue {} failed; retrying in {} ms", queue,
                        timings.pumpInterval().toMillis(), e);
            }
        }
    }

    /** Requeues the in-flight tasks in this member's partitions whose member is no longer in the cluster. */
    void sweepAll() {
        try {
            queues.addAll(instance.<String, Long>getMap(GridNames.QUEUE_REGISTRY).keySet());
            if (!registryRead) {
                registryRead = true;
                LOG.info("Queue maintenance on member {} found {} queues in the registry",
                        instance.getCluster().getLocalMember().getUuid(), queues.size());
            }
        } catch (HazelcastInstanceNotActiveException e) {
            return;
        } catch (RuntimeException e) {
            LOG.warn("Reading the queue registry failed; sweeping the {} queues known here", queues.size(), e);
        }
        for (String queue : queues) {
            try {
                sweep(queue);
            } catch (HazelcastInstanceNotActiveException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Looking for orphaned tasks of queue {} failed; retrying in {} ms", queue,
                        timings.sweepInterval().toMillis(), e);
            }
        }
    }

    /** Requeues every in-flight task that {@code member} owned, in every queue. */
    void recover(UUID member) {
        Predicate<String, InFlightTask> owned = Predicates.equal(InFlightTask.OWNER_FIELD, member.toString());
        for (String queue : queues) {
            try {
                int moved = 0;
                for (String taskId : instance.<String, InFlightTask>getMap(GridNames.inFlightMap(queue))
                        .keySet(owned)) {
                    moved += requeueOrphan(queue, taskId) ? 1 : 0;
                }
                if (moved > 0) {
                    LOG.warn("Queue {}: requeued {} in-flight tasks of member {}, which left the cluster, as their "
                            + "next attempt", queue, moved, member);
                }
            } catch (HazelcastInstanceNotActiveException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Requeueing tasks of queue {} from member {} failed; the periodic sweep retries", queue,
                        member, e);
            }
        }
    }

    private void pump(String queue) {
        long now = System.currentTimeMillis();
        IMap<String, DelayedTask> delayed = instance.getMap(GridNames.delayedMap(queue));
        for (String taskId : delayed.localKeySet(Predicates.lessEqual(DelayedTask.DUE_AT_FIELD, now))) {
            moveIfDue(queue, taskId, now);
        }
    }

    private void moveIfDue(String queue, String taskId, long now) {
        TaskRecord moved = Transactions.run(instance, context -> {
            TransactionalMap<String, DelayedTask> delayed = context.getMap(GridNames.delayedMap(queue));
            DelayedTask task = delayed.getForUpdate(taskId);
            if (task == null || task.dueAtMillis() > now) {
                return null;
            }
            delayed.delete(taskId);
            offer(context.getQueue(GridNames.readyQueue(queue)), queue, task.task());
            return task.task();
        });
        if (moved != null) {
            LOG.debug("Queue {}: retry of task {} attempt {} is due and ready", queue, taskId, moved.attempt());
        }
    }

    private void sweep(String queue) {
        Set<String> live = liveMembers();
        long takenBefore = System.currentTimeMillis() - timings.orphanGrace().toMillis();
        Predicate<String, InFlightTask> orphaned = Predicates.and(
                Predicates.not(Predicates.in(InFlightTask.OWNER_FIELD, live.toArray(new String[0]))),
                Predicates.lessThan(InFlightTask.TAKEN_AT_FIELD, takenBefore));
        IMap<String, InFlightTask> inFlight = instance.getMap(GridNames.inFlightMap(queue));
        int moved = 0;
        for (String taskId : inFlight.localKeySet(orphaned)) {
            moved += requeueOrphan(queue, taskId) ? 1 : 0;
        }
        if (moved > 0) {
            LOG.warn("Queue {}: requeued {} in-flight tasks whose members are no longer in the cluster", queue, moved);
        }
    }

    /** Requeues one in-flight task as its next attempt if its member is gone; returns whether this call did. */
    private boolean requeueOrphan(String queue, String taskId) {
        Set<String> live = liveMembers();
        InFlightTask orphan = Transactions.run(instance, context -> {
            TransactionalMap<String, InFlightTask> inFlight = context.getMap(GridNames.inFlightMap(queue));
            InFlightTask task = inFlight.getForUpdate(taskId);
            if (task == null || live.contains(task.owner())) {
                return null;
            }
            inFlight.delete(taskId);
            offer(context.getQueue(GridNames.readyQueue(queue)), queue, task.task().nextAttempt());
            return task;
        });
        if (orphan == null) {
            return false;
        }
        LOG.debug("Queue {}: task {} attempt {} was in flight on member {}, which left the cluster; queued it again "
                + "as attempt {}", queue, taskId, orphan.task().attempt(), orphan.owner(),
                orphan.task().attempt() + 1);
        return true;
    }

    private Set<String> liveMembers() {
        Set<String> live = new HashSet<>();
        for (Member member : instance.getCluster().getMembers()) {
            live.add(member.getUuid().toString());
        }
        return live;
    }

    static void offer(TransactionalQueue<TaskRecord> ready, String queue, TaskRecord task) {
        if (!ready.offer(task)) {
            throw new IllegalStateException("queue " + queue + " is full; task " + task.id() + " was not queued");
        }
    }

    static void offer(IQueue<TaskRecord> ready, String queue, TaskRecord task) {
        if (!ready.offer(task)) {
            throw new IllegalStateException("queue " + queue + " is full; task " + task.id() + " was not queued");
        }
    }

    /** Starts recovery of a member's tasks off Hazelcast's event thread. */
    private final class MemberLeft implements MembershipListener {

        @Override
        public void memberAdded(MembershipEvent event) {
            // A new member owns no tasks yet.
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            UUID member = event.getMember().getUuid();
            try {
                scheduler.execute(() -> recover(member));
            } catch (RejectedExecutionException e) {
                LOG.debug("Tasks of member {} left to the other members: this one is stopping", member);
            }
        }
    }
}
