package io.cohort.jdbc.tx;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.cohort.api.tx.Transaction;
import io.cohort.api.tx.TransactionException;
import io.cohort.jdbc.PoolEviction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction of {@link JdbcTransactionManager}: a pooled connection with auto-commit off, the callbacks to run
 * when it ends, and the rollback-only mark. Everything except {@link #isActive()} is used by the owner thread only.
 */
public final class JdbcTransaction implements Transaction {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTransaction.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final String id = "tx-" + IDS.incrementAndGet();
    private final DataSource dataSource;
    private final Connection pooled;
    private final Connection managed;
    private final Thread owner = Thread.currentThread();
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> afterRollback = new ArrayList<>();
    private volatile boolean active = true;
    private boolean rollbackOnly;
    private Throwable nestedFailure;

    /** Starts a transaction on {@code pooled}, whose auto-commit the manager has turned off. */
    JdbcTransaction(DataSource dataSource, Connection pooled) {
        this.dataSource = dataSource;
        this.pooled = pooled;
        this.managed = ManagedConnection.wrap(this, pooled);
    }

    /** Returns the DataSource the connection came from, so that the outbox can check it writes to its database. */
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public void afterCommit(Runnable callback) {
        requireCallback(callback);
        requireUsable();
        afterCommit.add(callback);
    }

    @Override
    public void afterRollback(Runnable callback) {
        requireCallback(callback);
        requireUsable();
        afterRollback.add(callback);
    }

    @Override
    public Connection connection() {
        requireUsable();
        return managed;
    }

    @Override
    public void setRollbackOnly() {
        requireUsable();
        if (!rollbackOnly) {
            LOG.debug("Transaction {} marked rollback-only", id);
        }
        rollbackOnly = true;
    }

    @Override
    public boolean isRollbackOnly() {
        return rollbackOnly;
    }

    @Override
    public String toString() {
        return "transaction " + id + " of thread " + owner.getName();
    }

    /**
     * Checks that the transaction runs and that the caller is its thread.
     *
     * @throws IllegalStateException if not
     */
    void requireUsable() {
        if (!active) {
            throw new IllegalStateException("transaction has already ended: " + this);
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(this + " was used from thread " + Thread.currentThread().getName()
                    + "; a transaction belongs to the thread that began it");
        }
    }

    /** Marks the transaction rollback-only because a nested unit of work threw {@code failure}. */
    void nestedFailed(Throwable failure) {
        if (nestedFailure == null) {
            nestedFailure = failure;
        }
        rollbackOnly = true;
        LOG.debug("Transaction {} marked rollback-only because a nested unit of work threw {}", id,
                failure.toString());
    }

    /**
     * Ends the transaction after the outermost unit of work returned: commits, or rolls back if marked.
     *
     * @throws TransactionException if the commit failed, or a nested unit of work threw
     */
    void complete() {
        if (rollbackOnly) {
            rollbackQuietly(null);
            finish(false);
            if (nestedFailure != null) {
                throw new TransactionException(this + " rolled back because a nested unit of work threw, and the "
                        + "outer unit of work returned anyway: " + nestedFailure, nestedFailure);
            }
            return;
        }
        try {
            pooled.commit();
        } catch (SQLException e) {
            rollbackQuietly(e);
            finish(false);
            throw new TransactionException("commit of " + this + " failed, so it was rolled back; if the connection "
                    + "broke during the commit, the database may have committed it anyway: " + e.getMessage()
                    + " (cause: " + PoolEviction.rootMessage(e) + ")", e);
        }
        finish(true);
    }

    /** Ends the transaction after the outermost unit of work threw {@code failure}: rolls back. */
    void fail(Throwable failure) {
        rollbackQuietly(failure);
        finish(false);
    }

    /**
     * Rolls back; a failure is added to {@code cause} as suppressed and logged. When the database itself was closed,
     * the pool replaces all its connections, so that the next transaction opens the database again.
     */
    private void rollbackQuietly(Throwable cause) {
        try {
            pooled.rollback();
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
            LOG.warn("Rollback of {} failed: {} (cause: {})", this, e.getMessage(), PoolEviction.rootMessage(e));
            PoolEviction.evictIfDatabaseClosed(dataSource, e);
        }
    }

    /** Returns the connection to the pool, then runs the callbacks of the outcome in registration order. */
    private void finish(boolean committed) {
        active = false;
        try {
            pooled.close();
        } catch (SQLException e) {
            LOG.warn("Returning the connection of {} to the pool failed: {}", this, e.getMessage());
        }
        LOG.debug("{} {}", committed ? "Committed" : "Rolled back", this);

        List<Runnable> callbacks = committed ? afterCommit : afterRollback;
        String kind = committed ? "after-commit" : "after-rollback";
        for (int i = 0; i < callbacks.size(); i++) {
            try {
                callbacks.get(i).run();
            } catch (RuntimeException | LinkageError | AssertionError e) {
                LOG.error("The {} callback number {} of {} failed; the other callbacks still run", kind, i + 1,
                        this, e);
            }
        }
    }

    private void requireCallback(Runnable callback) {
        if (callback == null) {
            throw new IllegalArgumentException("callback is null; expected a Runnable for " + this);
        }
    }
}
