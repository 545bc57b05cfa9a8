package io.cohort.jdbc.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.cohort.api.spi.PubSubAdapter;
import io.cohort.jdbc.PoolEviction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes committed outbox rows of one application through the pub/sub adapter, on the thread
 * {@value #THREAD_NAME}, and deletes them once published.
 *
 * <p>Each round claims a batch (see {@link OutboxTable}), publishes the rows in table order, deletes the published
 * ones, and releases the rest after a failure so that they are retried after the retry delay. When a relay dies
 * between publishing and deleting, its claim expires and any relay publishes those rows again. Receivers drop the
 * repeated ids. The thread sleeps for the interval when the outbox is empty, and
 * {@link #wakeUp()} ends the sleep early when a local transaction with outbox rows commits.
 */
public final class OutboxRelay implements AutoCloseable {

    /** The relay thread's name. */
    public static final String THREAD_NAME = "cohort-outbox-relay";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    /** A failing relay logs at most one warning per interval and counts the others. */
    private static final long FAILURE_LOG_INTERVAL_MS = TimeUnit.SECONDS.toMillis(30);

    private static final long STOP_WAIT_MS = TimeUnit.SECONDS.toMillis(10);

    private final DataSource dataSource;
    private final RelaySettings settings;
    private final Function<String, PubSubAdapter> adapters;
    private final Clock clock;
    private final Supplier<String> nodeId;
    private final String relayId = "relay-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final AtomicLong rounds = new AtomicLong();
    private final Object wakeLock = new Object();
    private boolean wakeRequested;
    private volatile boolean running;
    private Thread thread;
    private long lastFailureLogMillis;
    private long suppressedFailures;

    /**
     * @param adapters returns the registered pub/sub adapter with the given name, or {@code null}
     * @param nodeId returns this node's id for log messages, or a placeholder while the node has not started
     */
    public OutboxRelay(DataSource dataSource, RelaySettings settings, Function<String, PubSubAdapter> adapters,
            Clock clock, Supplier<String> nodeId) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.adapters = adapters;
        this.clock = clock;
        this.nodeId = nodeId;
    }

    /** Returns this relay's id, the prefix of its claim tokens. */
    public String relayId() {
        return relayId;
    }

    /** Starts the relay thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("relay " + relayId + " is already started");
        }
        running = true;
        thread = new Thread(this::loop, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        LOG.info("Outbox relay {} started for application {} through pub/sub adapter '{}' (interval {} ms, batch {}, "
                + "claim {} ms)", relayId, settings.appName(), settings.pubSubAdapter(),
                settings.interval().toMillis(), settings.batchSize(), settings.claimTime().toMillis());
    }

    /** Ends the relay's sleep, so that rows committed just now are published without waiting for the interval. */
    public void wakeUp() {
        synchronized (wakeLock) {
            wakeRequested = true;
            wakeLock.notifyAll();
        }
    }

    /**
     * Stops the relay thread after its current round, waiting up to 10 s. The thread is interrupted only after that
     * wait, because an interrupt during file I/O can close an embedded database's files. Rows it claimed and did not
     * delete are published again by some relay once the claim expires.
     */
    @Override
    public void close() {
        Thread stopping;
        synchronized (this) {
            stopping = thread;
            thread = null;
            running = false;
        }
        if (stopping == null) {
            return;
        }
        wakeUp();
        try {
            stopping.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping.isAlive()) {
            LOG.warn("Outbox relay {} did not stop within {} ms; interrupting it", relayId, STOP_WAIT_MS);
            stopping.interrupt();
        }
        LOG.info("Outbox relay {} stopped", relayId);
    }

    /**
     * Runs one round: claims a batch, publishes it and deletes what was published.
     *
     * @return how many rows were published
     * @throws SQLException if the database failed; published rows whose deletion failed are published again
     *     after their claim expires
     */
    public int relayOnce() throws SQLException {
        PubSubAdapter adapter = adapters.apply(settings.pubSubAdapter());
        if (adapter == null) {
            logFailure("pub/sub adapter '" + settings.pubSubAdapter() + "' is not registered; outbox rows wait",
                    null);
            return 0;
        }
        String token = relayId + "#" + rounds.incrementAndGet();
        long now = clock.millis();
        List<OutboxRow> rows;
        try (Connection connection = dataSource.getConnection()) {
            int claimed = OutboxTable.claim(connection, token, settings.appName(), now,
                    now + settings.claimTime().toMillis(), settings.batchSize());
            if (claimed == 0) {
                return 0;
            }
            rows = OutboxTable.fetch(connection, token);
        }

        List<Long> published = new ArrayList<>(rows.size());
        RuntimeException failure = null;
        OutboxRow failedRow = null;
        for (OutboxRow row : rows) {
            try {
                adapter.publish(row.topic(), row.envelope());
                published.add(row.seq());
            } catch (RuntimeException e) {
                failure = e;
                failedRow = row;
                break;
            }
        }

        try (Connection connection = dataSource.getConnection()) {
            OutboxTable.delete(connection, token, published);
            if (failure != null) {
                OutboxTable.release(connection, token, clock.millis() + settings.retryDelay().toMillis());
            }
        }
        if (failure != null) {
            logFailure("publishing sync message " + failedRow.envelope().id() + " on topic " + failedRow.topic()
                    + " failed (attempt " + failedRow.attempts() + "); it and " + (rows.size() - published.size() - 1)
                    + " later rows are retried in " + settings.retryDelay().toMillis() + " ms", failure);
        }
        LOG.debug("Outbox relay {} published {} of {} claimed rows", relayId, published.size(), rows.size());
        return published.size();
    }

    private void loop() {
        while (running) {
            int published = 0;
            try {
                published = relayOnce();
            } catch (SQLException | RuntimeException e) {
                logFailure("a round failed; the relay tries again after " + settings.interval().toMillis() + " ms",
                        e);
                PoolEviction.evictIfDatabaseClosed(dataSource, e);
            }
            if (published < settings.batchSize() && !awaitWork()) {
                return;
            }
        }
    }

    /** Sleeps until woken or the interval passes; returns false if the relay is stopping. */
    private boolean awaitWork() {
        synchronized (wakeLock) {
            try {
                if (!wakeRequested) {
                    wakeLock.wait(settings.interval().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            wakeRequested = false;
        }
        return running;
    }

    /**
     * Logs a failure as a warning at most once per {@link #FAILURE_LOG_INTERVAL_MS}, counting the others. The
     * message names the deepest cause of {@code error}, such as a full disk, which the driver's message may omit.
     */
    private void logFailure(String problem, Exception error) {
        long now = clock.millis();
        long suppressed;
        synchronized (wakeLock) {
            if (lastFailureLogMillis != 0 && now - lastFailureLogMillis < FAILURE_LOG_INTERVAL_MS) {
                suppressedFailures++;
                return;
            }
            lastFailureLogMillis = now;
            suppressed = suppressedFailures;
            suppressedFailures = 0;
        }
        String note = suppressed == 0 ? "" : " (" + suppressed + " similar failures not logged)";
        if (error == null) {
            LOG.warn("Outbox relay {} of application {} on node {}: {}{}", relayId, settings.appName(), nodeId.get(),
                    problem, note);
        } else {
            LOG.warn("Outbox relay {} of application {} on node {}: {}; cause: {}{}", relayId, settings.appName(),
                    nodeId.get(), problem, PoolEviction.rootMessage(error), note, error);
        }
    }
}
