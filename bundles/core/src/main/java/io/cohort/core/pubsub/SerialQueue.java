package io.cohort.core.pubsub;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one worker over a stream of items, one item at a time and in the order they were offered, on threads of a
 * shared executor. Each subscription has one, so subscriptions share delivery threads but never run in parallel with
 * themselves.
 *
 * <p>A drain task takes at most {@value #BATCH} items and then yields its thread to other queues. Closing stops the
 * worker: {@link #close} drops the items still queued and, unless it runs inside the worker, waits until a running
 * item finishes. After {@link #close} returns, the worker starts no new item.
 *
 * @param <E> the item type
 */
public final class SerialQueue<E> {

    /** Items one drain task handles before it resubmits itself, so a busy queue cannot hold a thread forever. */
    static final int BATCH = 64;

    private static final Logger LOG = LoggerFactory.getLogger(SerialQueue.class);

    private final String name;
    private final Executor executor;
    private final Consumer<E> worker;
    private final Consumer<E> onDrop;
    private final Queue<E> items = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;

    /** Held while the worker runs one item; {@link #close} takes it to wait for that item. */
    private final ReentrantLock running = new ReentrantLock();
    private volatile boolean closed;

    /**
     * @param name what the queue serves, for logs, for example {@code channel orders of bundle x [12]}
     * @param worker handles one item. It should catch what user code throws, because an exception that escapes
     *     ends the drain task. Later items then run on a new task.
     * @param onDrop called for each item that is dropped because the queue closed or the executor stopped
     */
    public SerialQueue(String name, Executor executor, Consumer<E> worker, Consumer<E> onDrop) {
        this.name = name;
        this.executor = executor;
        this.worker = worker;
        this.onDrop = onDrop;
    }

    /** Queues {@code item} behind the ones already queued, or returns {@code false} without queuing it if closed. */
    public boolean offer(E item) {
        if (closed) {
            return false;
        }
        items.add(item);
        schedule();
        return true;
    }

    /** Returns whether {@link #close} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the queue: queued items are dropped, and an item that the worker is running finishes. Called from any
     * thread other than the worker's, it waits up to {@code maxWait} for that item. Closing twice does nothing more.
     *
     * @return {@code false} if the running item was still running when {@code maxWait} ran out
     */
    public boolean close(Duration maxWait) {
        closed = true;
        dropQueued();
        if (running.isHeldByCurrentThread()) {
            return true;
        }
        try {
            if (!running.tryLock(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Closed {} while its handler still runs after {} ms; it finishes on its own",
                        name, maxWait.toMillis());
                return false;
            }
            running.unlock();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(drainTask);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            LOG.warn("Delivery threads of {} are stopped; dropping its queued messages", name);
            dropQueued();
        }
    }

    private void drain() {
        try {
            for (int i = 0; i < BATCH; i++) {
                E item = items.poll();
                if (item == null) {
                    break;
                }
                runOne(item);
            }
        } finally {
            scheduled.set(false);
            if (!items.isEmpty()) {
                schedule();
            }
        }
    }

    private void runOne(E item) {
        running.lock();
        try {
            if (closed) {
                onDrop.accept(item);
                return;
            }
            worker.accept(item);
        } finally {
            running.unlock();
        }
    }

    private void dropQueued() {
        E item;
        while ((item = items.poll()) != null) {
            onDrop.accept(item);
        }
    }
}
