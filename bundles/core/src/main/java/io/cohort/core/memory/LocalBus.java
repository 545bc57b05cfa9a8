package io.cohort.core.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics and their listeners inside one JVM: the transport of {@link MemoryPubSubAdapter}.
 *
 * <p>{@link #publish} calls every listener of the topic on the publishing thread, in the order the listeners
 * registered, so a listener receives the envelopes of one publishing thread in publish order. No lock is held while a
 * listener runs: the listener list is copied on write, so listeners may publish, listen or close registrations
 * themselves. A listener that registers while a publish is running may miss that envelope.
 *
 * <p>History: for the first {@link #HISTORY_PERIOD} after the bus is created, it numbers every envelope and keeps
 * the last {@value #HISTORY_PER_TOPIC} of each topic, so that {@link #listenFrom} can hand a late listener what was
 * published since a given point. After that period the bus drops the history and keeps nothing.
 *
 * <p>Several adapters built on one bus act as the nodes of one cluster, which is how tests run several managers
 * with different node ids in one JVM. Listeners share the envelope's payload array and must not modify it.
 */
public final class LocalBus {

    /** How long after its creation the bus keeps a history of each topic. */
    public static final Duration HISTORY_PERIOD = Duration.ofMinutes(10);

    /** How many envelopes of each topic the history keeps at most; older ones are dropped first. */
    public static final int HISTORY_PER_TOPIC = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(LocalBus.class);

    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private final Map<String, Deque<Numbered>> history = new ConcurrentHashMap<>();
    private final AtomicLong lastSequence = new AtomicLong();
    private final Clock clock;
    private final long historyEndMillis;
    private volatile boolean keepingHistory = true;

    /** Creates a bus on the system clock. */
    public LocalBus() {
        this(Clock.systemUTC());
    }

    /** Creates a bus whose history period is measured on {@code clock}. */
    public LocalBus(Clock clock) {
        this.clock = clock;
        this.historyEndMillis = clock.millis() + HISTORY_PERIOD.toMillis();
    }

    /** Calls every listener of {@code topic} with {@code envelope}; a listener that throws is logged and skipped. */
    public void publish(String topic, Envelope envelope) {
        Numbered numbered;
        if (keepingHistory()) {
            // Numbering and recording under the topic's history lock keeps the history in sequence order, which a
            // listener catching up relies on.
            Deque<Numbered> recent = history.computeIfAbsent(topic, t -> new ArrayDeque<>());
            synchronized (recent) {
                numbered = new Numbered(lastSequence.incrementAndGet(), envelope);
                recent.addLast(numbered);
                if (recent.size() > HISTORY_PER_TOPIC) {
                    recent.removeFirst();
                }
            }
        } else {
            numbered = new Numbered(lastSequence.incrementAndGet(), envelope);
        }
        List<Listener> current = listeners.get(topic);
        if (current == null) {
            return;
        }
        for (Listener listener : current) {
            listener.offer(topic, numbered);
        }
    }

    /**
     * Registers {@code listener} for {@code topic}. Closing the registration removes it, and closing twice does
     * nothing.
     */
    public PubSubAdapter.Registration listen(String topic, Consumer<Envelope> listener) {
        Listener entry = new Listener(listener, Long.MAX_VALUE);
        return register(topic, entry);
    }

    /**
     * Registers {@code listener} for {@code topic} and first hands it the envelopes of the history numbered above
     * {@code afterSequence}, in order, then every later one, each once. Without a history (after
     * {@link #HISTORY_PERIOD}) this is {@link #listen}.
     */
    public PubSubAdapter.Registration listenFrom(String topic, long afterSequence, Consumer<Envelope> listener) {
        if (!keepingHistory()) {
            return listen(topic, listener);
        }
        Listener entry = new Listener(listener, afterSequence);
        PubSubAdapter.Registration registration = register(topic, entry);
        List<Numbered> missed = new ArrayList<>();
        Deque<Numbered> recent = history.get(topic);
        if (recent != null) {
            synchronized (recent) {
                for (Numbered numbered : recent) {
                    if (numbered.sequence() > afterSequence) {
                        missed.add(numbered);
                    }
                }
            }
        }
        entry.catchUp(topic, missed);
        return registration;
    }

    /** Returns the sequence number of the last envelope published on this bus, 0 before the first. */
    public long lastSequence() {
        return lastSequence.get();
    }

    /** Returns how many listeners {@code topic} has now. */
    public int listenerCount(String topic) {
        List<Listener> current = listeners.get(topic);
        return current == null ? 0 : current.size();
    }

    private PubSubAdapter.Registration register(String topic, Listener entry) {
        listeners.compute(topic, (t, current) -> {
            List<Listener> updated = current == null ? new CopyOnWriteArrayList<>() : current;
            updated.add(entry);
            return updated;
        });
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                remove(topic, entry);
            }
        };
    }

    private boolean keepingHistory() {
        if (keepingHistory && clock.millis() >= historyEndMillis) {
            keepingHistory = false;
            history.clear();
            LOG.debug("Local bus stopped keeping a history of its topics");
        }
        return keepingHistory;
    }

    /** Removes the one entry that {@link #register} added; each entry is a fresh object, so equal listeners stay. */
    private void remove(String topic, Listener entry) {
        listeners.computeIfPresent(topic, (t, current) -> {
            current.remove(entry);
            return current.isEmpty() ? null : current;
        });
    }

    /** An envelope with the number the bus gave it. */
    private record Numbered(long sequence, Envelope envelope) {
    }

    /**
     * One registration. While it catches up on the history, envelopes published meanwhile wait in a list. The
     * catching-up thread hands them over after the history and skips any that the history already contained.
     */
    private static final class Listener {

        private final Consumer<Envelope> target;
        private final long afterSequence;

        /** Envelopes published while catching up; null once caught up, or from the start if it never catches up. */
        private List<Numbered> waiting;

        /**
         * The last sequence the history handed over. A publisher can record an envelope in the history, be overtaken
         * by the whole catch-up, and only then offer it. This listener already has that envelope, so it skips it.
         * Written under this listener's lock before {@link #waiting} becomes null.
         */
        private volatile long replayedUpTo;

        /** @param afterSequence where catching up starts; {@link Long#MAX_VALUE} for a listener that never does */
        Listener(Consumer<Envelope> target, long afterSequence) {
            this.target = target;
            this.afterSequence = afterSequence;
            if (afterSequence != Long.MAX_VALUE) {
                waiting = new ArrayList<>();
            }
        }

        void offer(String topic, Numbered numbered) {
            synchronized (this) {
                if (waiting != null) {
                    waiting.add(numbered);
                    return;
                }
            }
            if (numbered.sequence() > replayedUpTo) {
                deliver(topic, numbered);
            }
        }

        /**
         * Delivers {@code missed} (history, in sequence order), then what was published meanwhile. An envelope that
         * is both in the history and waiting is delivered once: waiting ones numbered up to the last delivered from
         * the history are skipped. Concurrent publishes have no order among them, so the waiting ones keep theirs.
         */
        void catchUp(String topic, List<Numbered> missed) {
            long last = afterSequence;
            for (Numbered numbered : missed) {
                last = Math.max(last, numbered.sequence());
                deliver(topic, numbered);
            }
            synchronized (this) {
                replayedUpTo = last;
            }
            while (true) {
                List<Numbered> batch;
                synchronized (this) {
                    if (waiting.isEmpty()) {
                        waiting = null;
                        return;
                    }
                    batch = waiting;
                    waiting = new ArrayList<>();
                }
                for (Numbered numbered : batch) {
                    if (numbered.sequence() > last) {
                        deliver(topic, numbered);
                    }
                }
            }
        }

        private void deliver(String topic, Numbered numbered) {
            Envelope envelope = numbered.envelope();
            try {
                target.accept(envelope);
            } catch (RuntimeException e) {
                LOG.warn("Listener of topic {} failed on message {} from node {}; the other listeners still get it",
                        topic, envelope.id(), envelope.sourceNode(), e);
            }
        }
    }
}
