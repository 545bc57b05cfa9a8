package io.cohort.core.plugin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.sync.SyncMessage;

/**
 * A plugin that appends {@code <name>.<hook>} to a shared event list on every hook. A test can make a hook throw,
 * block until a gate opens, or run an action.
 */
final class RecordingPlugin implements Plugin {

    private final String name;
    private final List<String> events;
    private final Map<String, Exception> failures = new ConcurrentHashMap<>();
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();
    private final Map<String, Runnable> actions = new ConcurrentHashMap<>();
    private final Map<String, String> threadNames = new ConcurrentHashMap<>();
    private volatile PluginContext lastContext;

    RecordingPlugin(String name, List<String> events) {
        this.name = name;
        this.events = events;
    }

    /** Makes {@code hook} throw {@code failure} after recording it. */
    RecordingPlugin failOn(String hook, Exception failure) {
        failures.put(hook, failure);
        return this;
    }

    /**
     * Makes {@code hook} block after recording it until the returned gate opens. An interrupt ends the wait with an
     * InterruptedException, as in {@code Thread.sleep}.
     */
    Gate blockOn(String hook) {
        Gate gate = new Gate(false);
        gates.put(hook, gate);
        return gate;
    }

    /** Makes {@code hook} block after recording it until the returned gate opens, ignoring interrupts. */
    Gate holdOn(String hook) {
        Gate gate = new Gate(true);
        gates.put(hook, gate);
        return gate;
    }

    /** Runs {@code action} inside {@code hook}, after recording it. */
    RecordingPlugin onHook(String hook, Runnable action) {
        actions.put(hook, action);
        return this;
    }

    /** Returns the name of the thread the hook last ran on, or null if it never ran. */
    String threadOf(String hook) {
        return threadNames.get(hook);
    }

    PluginContext lastContext() {
        return lastContext;
    }

    @Override
    public void beforeLoad(PluginContext context) throws Exception {
        lastContext = context;
        hook("beforeLoad");
    }

    @Override
    public void load(PluginContext context) throws Exception {
        lastContext = context;
        hook("load");
    }

    @Override
    public void unload(PluginContext context) throws Exception {
        lastContext = context;
        hook("unload");
    }

    @Override
    public void handleSyncMessage(SyncMessage message) throws Exception {
        hook("handleSyncMessage");
    }

    private void hook(String hook) throws Exception {
        events.add(name + "." + hook);
        threadNames.put(hook, Thread.currentThread().getName());
        Runnable action = actions.get(hook);
        if (action != null) {
            action.run();
        }
        Gate gate = gates.get(hook);
        if (gate != null) {
            gate.block();
        }
        Exception failure = failures.get(hook);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Holds a hook until {@link #open()} or for at most 10 s; {@link #awaitEntered()} waits until the hook is blocked
     * in it.
     */
    static final class Gate {

        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch opened = new CountDownLatch(1);
        private final boolean ignoresInterrupts;
        private volatile Thread thread;
        private volatile boolean interrupted;

        private Gate(boolean ignoresInterrupts) {
            this.ignoresInterrupts = ignoresInterrupts;
        }

        void awaitEntered() throws InterruptedException {
            if (!entered.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the hook did not reach its gate within 10 s");
            }
        }

        void open() {
            opened.countDown();
        }

        /** Returns the thread that entered the gate, or null. */
        Thread thread() {
            return thread;
        }

        /** Returns whether the thread in the gate was interrupted while it waited. */
        boolean wasInterrupted() {
            return interrupted;
        }

        private void block() throws InterruptedException {
            thread = Thread.currentThread();
            entered.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    if (!opened.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        throw new AssertionError("the gate was not opened within 10 s");
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (!ignoresInterrupts) {
                        throw e;
                    }
                }
            }
        }
    }
}
