package io.cohort.core.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/** A lease timer whose clock moves only in {@link #advance} and whose tasks run only in {@link #runDueTasks}. */
final class ManualLeaseTimer implements LeaseTimer {

    private final List<Scheduled> tasks = new ArrayList<>();
    private long now = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Future<?> schedule(Runnable task, long delayNanos) {
        FutureTask<Void> future = new FutureTask<>(task, null);
        tasks.add(new Scheduled(now + delayNanos, future));
        return future;
    }

    @Override
    public synchronized void shutdown() {
        tasks.forEach(scheduled -> scheduled.future().cancel(false));
        tasks.clear();
    }

    /** Moves the clock forward without running any task. */
    synchronized void advance(Duration duration) {
        now += duration.toNanos();
    }

    /** Runs, on the calling thread, every task that is due and not cancelled. */
    void runDueTasks() {
        List<FutureTask<Void>> due = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Scheduled> it = tasks.iterator(); it.hasNext();) {
                Scheduled scheduled = it.next();
                if (scheduled.at() - now <= 0) {
                    due.add(scheduled.future());
                    it.remove();
                }
            }
        }
        due.forEach(FutureTask::run);
    }

    /** Returns how many tasks are neither cancelled nor run. */
    synchronized int pendingTasks() {
        return (int) tasks.stream().filter(scheduled -> !scheduled.future().isDone()).count();
    }

    private record Scheduled(long at, FutureTask<Void> future) {
    }
}
