package io.cohort.jdbc.tx;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import io.cohort.api.tx.Transaction;
import io.cohort.api.tx.TransactionCallable;
import io.cohort.api.tx.TransactionException;
import io.cohort.api.tx.TransactionManager;
import io.cohort.api.tx.TransactionRunnable;
import io.cohort.jdbc.DatabaseComponent;
import io.cohort.jdbc.PoolEviction;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link TransactionManager} of Cohort's database. The thread's transaction lives in a {@link ThreadLocal}, which
 * is cleared before the transaction ends, so that the callbacks can begin transactions of their own.
 */
@Component(service = TransactionManager.class)
public final class JdbcTransactionManager implements TransactionManager {

    private final DataSource dataSource;
    private final ThreadLocal<JdbcTransaction> current = new ThreadLocal<>();

    @Activate
    public JdbcTransactionManager(
            @Reference(name = "dataSource", target = DatabaseComponent.DATASOURCE_TARGET) DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T, X extends Exception> T call(TransactionCallable<T, X> work) throws X {
        if (work == null) {
            throw new IllegalArgumentException("work is null; expected a TransactionCallable");
        }
        JdbcTransaction running = current.get();
        if (running != null) {
            return joined(running, work);
        }

        JdbcTransaction transaction = begin();
        current.set(transaction);
        T result;
        try {
            result = work.call(transaction);
        } catch (Throwable failure) {
            current.remove();
            transaction.fail(failure);
            throw failure;
        }
        current.remove();
        transaction.complete();
        return result;
    }

    @Override
    public <X extends Exception> void run(TransactionRunnable<X> work) throws X {
        if (work == null) {
            throw new IllegalArgumentException("work is null; expected a TransactionRunnable");
        }
        call(transaction -> {
            work.run(transaction);
            return null;
        });
    }

    @Override
    public Optional<Transaction> current() {
        return Optional.ofNullable(current.get());
    }

    private static <T, X extends Exception> T joined(JdbcTransaction transaction, TransactionCallable<T, X> work)
            throws X {
        try {
            return work.call(transaction);
        } catch (Throwable failure) {
            transaction.nestedFailed(failure);
            throw failure;
        }
    }

    private JdbcTransaction begin() {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            return new JdbcTransaction(dataSource, connection);
        } catch (SQLException e) {
            closeQuietly(connection, e);
            PoolEviction.evictIfDatabaseClosed(dataSource, e);
            throw new TransactionException("cannot begin a transaction on " + dataSource + ": " + e.getMessage()
                    + " (cause: " + PoolEviction.rootMessage(e) + ")", e);
        }
    }

    private static void closeQuietly(Connection connection, SQLException cause) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
