package io.cohort.jdbc.tx;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import javax.sql.DataSource;

import io.cohort.api.tx.Transaction;
import io.cohort.api.tx.TransactionException;
import io.cohort.jdbc.TestDatabase;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Transaction manager scenarios, run on each database by a subclass. */
public abstract class AbstractTransactionManagerTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Rule
    public final TestDatabase database = database();

    private DataSource dataSource;
    private JdbcTransactionManager manager;

    protected abstract TestDatabase database();

    @Before
    public void createTable() throws SQLException {
        dataSource = database.open();
        manager = new JdbcTransactionManager(dataSource);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(40))");
        }
    }

    @Test
    public void call_returns_commits() throws SQLException {
        String result = manager.call(tx -> {
            insert(tx, 1, "one");
            return "done";
        });

        assertEquals("done", result);
        assertEquals(List.of("one"), names());
    }

    @Test
    public void run_throws_rollsBackAndRethrows() {
        IllegalStateException thrown = new IllegalStateException("work failure for the test");

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> manager.run(tx -> {
            insert(tx, 1, "one");
            throw thrown;
        }));

        assertSame(thrown, error);
        assertEquals(List.of(), namesUnchecked());
    }

    @Test
    public void run_checkedException_rethrownAsIs() {
        IOException error = assertThrows(IOException.class, () -> manager.run(tx -> {
            insert(tx, 1, "one");
            throw new IOException("checked failure for the test");
        }));

        assertEquals("checked failure for the test", error.getMessage());
        assertEquals(List.of(), namesUnchecked());
    }

    @Test
    public void nested_joinsOuter_commitsOnceAtEnd() throws SQLException {
        List<Transaction> seen = new ArrayList<>();

        manager.run(outer -> {
            seen.add(outer);
            insert(outer, 1, "outer");
            manager.run(inner -> {
                seen.add(inner);
                insert(inner, 2, "inner");
                assertEquals(List.of(), namesOutside());
            });
            assertEquals(List.of(), namesOutside());
        });

        assertSame(seen.get(0), seen.get(1));
        assertEquals(List.of("outer", "inner"), names());
    }

    @Test
    public void nested_throwsAndOuterRethrows_rollsBackBoth() {
        assertThrows(IllegalStateException.class, () -> manager.run(outer -> {
            insert(outer, 1, "outer");
            manager.run(inner -> {
                insert(inner, 2, "inner");
                throw new IllegalStateException("nested failure for the test");
            });
        }));

        assertEquals(List.of(), namesUnchecked());
    }

    @Test
    public void nested_caughtByOuter_throwsTransactionException() {
        IllegalStateException nested = new IllegalStateException("nested failure for the test");
        List<String> events = new ArrayList<>();

        TransactionException error = assertThrows(TransactionException.class, () -> manager.run(outer -> {
            outer.afterRollback(() -> events.add("rolled back"));
            insert(outer, 1, "outer");
            try {
                manager.run(inner -> {
                    throw nested;
                });
            } catch (IllegalStateException expected) {
                assertTrue(outer.isRollbackOnly());
            }
        }));

        assertSame(nested, error.getCause());
        assertThat(error.getMessage(), containsString("nested unit of work threw"));
        assertEquals(List.of(), namesUnchecked());
        assertEquals(List.of("rolled back"), events);
    }

    @Test
    public void setRollbackOnly_returnsValue_rollsBack() throws SQLException {
        String result = manager.call(tx -> {
            insert(tx, 1, "one");
            tx.setRollbackOnly();
            return "value";
        });

        assertEquals("value", result);
        assertEquals(List.of(), names());
    }

    @Test
    public void callbacks_commit_runAfterOutermostInOrder() throws SQLException {
        List<String> events = new ArrayList<>();

        manager.run(outer -> {
            outer.afterCommit(() -> events.add("outer-1"));
            manager.run(inner -> {
                inner.afterCommit(() -> events.add("inner"));
                inner.afterRollback(() -> events.add("inner-rollback"));
            });
            events.add("outer work ends");
            outer.afterCommit(() -> events.add("outer-2"));
        });

        assertEquals(List.of("outer work ends", "outer-1", "inner", "outer-2"), events);
    }

    @Test
    public void callbacks_rollback_runOnlyRollbackOnes() {
        List<String> events = new ArrayList<>();

        assertThrows(IllegalStateException.class, () -> manager.run(tx -> {
            tx.afterCommit(() -> events.add("commit"));
            tx.afterRollback(() -> events.add("rollback-1"));
            tx.afterRollback(() -> events.add("rollback-2"));
            throw new IllegalStateException("work failure for the test");
        }));

        assertEquals(List.of("rollback-1", "rollback-2"), events);
    }

    @Test
    public void callbacks_oneThrows_othersStillRun() throws SQLException {
        List<String> events = new ArrayList<>();

        manager.run(tx -> {
            tx.afterCommit(() -> events.add("first"));
            tx.afterCommit(() -> {
                throw new IllegalStateException("callback failure for the test");
            });
            tx.afterCommit(() -> events.add("third"));
            insert(tx, 1, "one");
        });

        assertEquals(List.of("first", "third"), events);
        assertEquals(List.of("one"), names());
    }

    @Test
    public void callbacks_seeCommittedData_andMayBeginTransactions() throws SQLException {
        List<List<String>> seenByCallback = new ArrayList<>();
        List<Optional<Transaction>> currentInCallback = new ArrayList<>();

        manager.run(tx -> {
            insert(tx, 1, "one");
            tx.afterCommit(() -> {
                currentInCallback.add(manager.current());
                try {
                    seenByCallback.add(manager.call(next -> namesOn(next.connection())));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        });

        assertEquals(List.of(Optional.empty()), currentInCallback);
        assertEquals(List.of(List.of("one")), seenByCallback);
    }

    @Test
    public void isolation_uncommittedRow_invisibleToOtherConnections() throws SQLException {
        List<List<String>> seenOutside = new ArrayList<>();

        manager.run(tx -> {
            insert(tx, 1, "one");
            seenOutside.add(namesOutside());
            assertEquals(List.of("one"), namesOn(tx.connection()));
        });

        assertEquals(List.of(List.of()), seenOutside);
        assertEquals(List.of("one"), names());
    }

    @Test
    public void current_insideAndOutside() throws SQLException {
        assertEquals(Optional.empty(), manager.current());

        Transaction seen = manager.call(tx -> {
            assertSame(tx, manager.current().orElseThrow());
            return tx;
        });

        assertEquals(Optional.empty(), manager.current());
        assertFalse(seen.isActive());
    }

    @Test
    public void endedTransaction_rejectsUse() throws SQLException {
        Transaction ended = manager.call(tx -> tx);

        IllegalStateException connection = assertThrows(IllegalStateException.class, ended::connection);
        IllegalStateException callback = assertThrows(IllegalStateException.class, () -> ended.afterCommit(() -> { }));

        assertThat(connection.getMessage(), containsString("transaction has already ended"));
        assertThat(callback.getMessage(), containsString("transaction has already ended"));
    }

    @Test
    public void otherThread_rejected_andGetsOwnTransaction() throws Exception {
        manager.run(tx -> {
            CompletableFuture<String> otherThread = CompletableFuture.supplyAsync(() -> {
                IllegalStateException error = assertThrows(IllegalStateException.class, tx::connection);
                Transaction own = manager.call(other -> other);
                return error.getMessage() + (own == tx ? " same" : " own");
            });
            String outcome = otherThread.get();
            assertThat(outcome, containsString("belongs to the thread that began it"));
            assertThat(outcome, containsString(" own"));
        });
    }

    @Test
    public void connection_commitAndClose_managedByTransaction() throws SQLException {
        manager.run(tx -> {
            Connection connection = tx.connection();
            insert(tx, 1, "one");
            connection.close();
            assertThrows(IllegalStateException.class, connection::commit);
            assertThrows(IllegalStateException.class, connection::rollback);
            assertThrows(IllegalStateException.class, () -> connection.setAutoCommit(true));
            insert(tx, 2, "two");
        });

        assertEquals(List.of("one", "two"), names());
    }

    @Test
    public void connections_returnedToPool_afterManyTransactions() throws SQLException {
        for (int i = 0; i < 50; i++) {
            int id = i;
            try {
                manager.run(tx -> {
                    insert(tx, id, "n" + id);
                    if (id % 2 == 0) {
                        throw new IllegalStateException("rollback for the test");
                    }
                });
            } catch (IllegalStateException expected) {
                // Half of them roll back on purpose.
            }
        }

        assertEquals(25, names().size());
    }

    @Test
    public void work_null_rejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> manager.run(null));

        assertThat(error.getMessage(), containsString("work is null"));
    }

    private static void insert(Transaction tx, int id, String name) throws SQLException {
        try (PreparedStatement statement = tx.connection().prepareStatement(
                "INSERT INTO item (id, name) VALUES (?, ?)")) {
            statement.setInt(1, id);
            statement.setString(2, name);
            statement.executeUpdate();
        }
    }

    private List<String> names() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return namesOn(connection);
        }
    }

    private List<String> namesUnchecked() {
        try {
            return names();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the table on a pooled connection of its own, outside the running transaction. */
    private List<String> namesOutside() throws SQLException {
        try {
            return CompletableFuture.supplyAsync(this::namesUnchecked).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> namesOn(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT name FROM item ORDER BY id")) {
            while (result.next()) {
                names.add(result.getString(1));
            }
        }
        return names;
    }
}
