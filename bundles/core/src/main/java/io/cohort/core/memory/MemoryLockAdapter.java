package io.cohort.core.memory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.LockAdapter;

import org.osgi.service.component.annotations.Component;

/**
 * The lock adapter that grants keys inside this JVM only.
 *
 * <p>One mutex guards the grant table, and each key that is held or waited for has its own {@link Condition}, so a
 * release wakes one waiter of that key and no other. The mutex is fair and each condition queues its waiters in
 * arrival order, but a caller that arrives just as a key is freed may take it before the woken waiter does. The
 * mutex is held only to read or change the table, never while a caller waits for a key.
 *
 * <p>Fence tokens come from one counter for all keys, so the tokens of each key increase. A grant belongs to its token,
 * not to a thread: any thread may unlock it with that token.
 */
@Component(service = LockAdapter.class, property = Adapters.NAME_PROPERTY + "=" + Adapters.MEMORY,
        immediate = true)
public final class MemoryLockAdapter implements LockAdapter {

    private static final long FREE = 0;

    private final ReentrantLock mutex = new ReentrantLock(true);
    private final Map<String, KeyState> keys = new HashMap<>();
    private final AtomicLong lastToken = new AtomicLong();

    /**
     * Takes {@code key} if it becomes free within {@code wait}. With a zero or negative wait the call does not wait
     * for the key and ignores the interrupt flag.
     */
    @Override
    public OptionalLong tryLock(String key, Duration wait) throws InterruptedException {
        long waitNanos = saturatedNanos(wait);
        if (waitNanos <= 0) {
            mutex.lock();
        } else {
            mutex.lockInterruptibly();
        }
        try {
            return grantWithin(key, waitNanos);
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public long lock(String key) throws InterruptedException {
        mutex.lockInterruptibly();
        try {
            return grantWithin(key, Long.MAX_VALUE).getAsLong();
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public boolean unlock(String key, long fenceToken) {
        mutex.lock();
        try {
            KeyState state = keys.get(key);
            if (state == null || state.token != fenceToken) {
                return false;
            }
            state.token = FREE;
            if (state.waiters == 0) {
                keys.remove(key);
            } else {
                state.freed.signal();
            }
            return true;
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public boolean isLocked(String key) {
        mutex.lock();
        try {
            KeyState state = keys.get(key);
            return state != null && state.token != FREE;
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public boolean isGranted(String key, long fenceToken) {
        mutex.lock();
        try {
            KeyState state = keys.get(key);
            return state != null && state.token == fenceToken;
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public String mode() {
        return "in-process";
    }

    /** Returns how many keys are held or waited for, for tests. A key with neither leaves the table. */
    int trackedKeyCount() {
        mutex.lock();
        try {
            return keys.size();
        } finally {
            mutex.unlock();
        }
    }

    /** Waits up to {@code waitNanos} ({@code Long.MAX_VALUE} for no limit) for the key. The caller holds the mutex. */
    private OptionalLong grantWithin(String key, long waitNanos) throws InterruptedException {
        KeyState state = keys.computeIfAbsent(key, k -> new KeyState(mutex.newCondition()));
        state.waiters++;
        try {
            long remaining = waitNanos;
            while (state.token != FREE) {
                if (remaining <= 0) {
                    return OptionalLong.empty();
                }
                if (waitNanos == Long.MAX_VALUE) {
                    state.freed.await();
                } else {
                    remaining = state.freed.awaitNanos(remaining);
                }
            }
            state.token = lastToken.incrementAndGet();
            return OptionalLong.of(state.token);
        } finally {
            state.waiters--;
            leave(key, state);
        }
    }

    /**
     * Drops the key's table entry once no caller holds or waits for it. A waiter that leaves without the grant
     * (timeout or interrupt) while the key is free passes the wake-up on, in case the last release signalled it.
     */
    private void leave(String key, KeyState state) {
        if (state.token != FREE) {
            return;
        }
        if (state.waiters == 0) {
            keys.remove(key);
        } else {
            state.freed.signal();
        }
    }

    private static long saturatedNanos(Duration wait) {
        if (wait == null) {
            return 0;
        }
        try {
            return wait.toNanos();
        } catch (ArithmeticException e) {
            return wait.isNegative() ? 0 : Long.MAX_VALUE - 1;
        }
    }

    /** The grant and waiters of one key, guarded by the adapter's mutex. */
    private static final class KeyState {

        private final Condition freed;
        private long token = FREE;
        private int waiters;

        private KeyState(Condition freed) {
            this.freed = freed;
        }
    }
}
