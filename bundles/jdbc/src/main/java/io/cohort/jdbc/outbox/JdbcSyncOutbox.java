package io.cohort.jdbc.outbox;

import java.sql.SQLException;

import javax.sql.DataSource;

import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.SyncOutbox;
import io.cohort.api.tx.Transaction;
import io.cohort.jdbc.tx.JdbcTransaction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes durable sync messages to the outbox table on the connection of the caller's transaction, and wakes the
 * local relay when that transaction commits.
 */
public final class JdbcSyncOutbox implements SyncOutbox {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcSyncOutbox.class);

    private final DataSource dataSource;
    private final Runnable onCommit;

    /**
     * @param dataSource the database of the outbox table; transactions must come from it
     * @param onCommit what runs after a transaction with outbox rows commits, usually waking the relay
     */
    public JdbcSyncOutbox(DataSource dataSource, Runnable onCommit) {
        this.dataSource = dataSource;
        this.onCommit = onCommit;
    }

    @Override
    public void append(Transaction transaction, String appName, String topic, Envelope envelope) {
        if (!(transaction instanceof JdbcTransaction jdbc) || jdbc.dataSource() != dataSource) {
            throw new IllegalArgumentException("sync message " + envelope.id() + " on topic " + topic + " is "
                    + "durable, so it needs a transaction from Cohort's TransactionManager; got " + transaction);
        }
        try {
            OutboxTable.insert(jdbc.connection(), appName, topic, envelope);
        } catch (SQLException e) {
            throw new IllegalStateException("writing sync message " + envelope.id() + " on topic " + topic
                    + " to the outbox in " + transaction + " failed: " + e.getMessage(), e);
        }
        jdbc.afterCommit(onCommit);
        LOG.debug("Sync message {} on topic {} written to the outbox in {}", envelope.id(), topic, transaction);
    }
}
