package io.cohort.jdbc;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.not;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;

import io.cohort.api.tx.TransactionException;
import io.cohort.jdbc.tx.JdbcTransactionManager;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class ConnectionPoolsTest {

    private static final String PASSWORD = "s3cret-Pa55word";

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Rule
    public final TestDatabase database = TestDatabase.h2();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void open_unreachableUrl_namesUrlNotPassword() {
        String url = "jdbc:postgresql://127.0.0.1:1/cohort?password=" + PASSWORD + "&ssl=false";
        DatabaseSettings settings = new DatabaseSettings(url, "cohort", PASSWORD, "org.postgresql.Driver", 2,
                Duration.ofMillis(500));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> ConnectionPools.open(settings));

        assertThat(error.getMessage(), containsString("jdbc:postgresql://127.0.0.1:1/cohort?password=****&ssl=false"));
        assertThat(error.getMessage(), containsString("user 'cohort'"));
        assertThat(error.getMessage(), not(containsString(PASSWORD)));
    }

    @Test
    public void open_wrongPassword_namesUrlNotPassword() throws Exception {
        try (Connection created = DriverManager.getConnection(database.url(), "owner", "right-password")) {
            // The first connection creates the database and its user "owner" with that password.
        }
        DatabaseSettings settings = new DatabaseSettings(database.url(), "owner", PASSWORD, "org.h2.Driver", 2,
                Duration.ofMillis(500));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> ConnectionPools.open(settings));

        assertThat(error.getMessage(), containsString(database.url()));
        assertThat(error.getMessage(), containsString("Wrong user name or password"));
        assertThat(error.getMessage(), not(containsString(PASSWORD)));
        assertThat(error.getMessage(), not(containsString("right-password")));
        assertThat(String.valueOf(error.getCause()), not(containsString(PASSWORD)));
    }

    @Test
    public void open_driverMessageQuotesPassword_masked() {
        String url = "jdbc:h2:file:" + System.getProperty("java.io.tmpdir") + "/cohort-missing;IFEXISTS=TRUE;"
                + "PASSWORD=" + PASSWORD;
        DatabaseSettings settings = new DatabaseSettings(url, "sa", PASSWORD, "org.h2.Driver", 2,
                Duration.ofMillis(500));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> ConnectionPools.open(settings));

        assertThat(error.getMessage(), containsString("PASSWORD=****"));
        assertThat(error.getMessage(), not(containsString(PASSWORD)));
    }

    @Test
    public void open_diskFull_namesRootCause() {
        DiskFullFilePath.register();
        String url = "jdbc:h2:" + DiskFullFilePath.SCHEME + ":" + folder.getRoot().toPath().resolve("cohort")
                + ";WRITE_DELAY=0";
        DatabaseSettings settings = new DatabaseSettings(url, "sa", "", "org.h2.Driver", 2, Duration.ofMillis(500));

        DiskFullFilePath.setFull(true);
        IllegalStateException error;
        try {
            error = assertThrows(IllegalStateException.class, () -> ConnectionPools.open(settings));
        } finally {
            DiskFullFilePath.setFull(false);
        }

        assertThat(error.getMessage(), containsString("IOException: No space left on device"));
    }

    @Test
    public void transaction_diskFullThenFreed_recovers() throws Exception {
        DiskFullFilePath.register();
        String url = "jdbc:h2:" + DiskFullFilePath.SCHEME + ":" + folder.getRoot().toPath().resolve("cohort")
                + ";WRITE_DELAY=0";
        DatabaseSettings settings = new DatabaseSettings(url, "sa", "", "org.h2.Driver", 2, Duration.ofSeconds(5));
        try (HikariDataSource pool = ConnectionPools.open(settings)) {
            JdbcTransactionManager transactions = new JdbcTransactionManager(new CohortDataSource(pool, url));
            execute(pool, "CREATE TABLE note (id INT PRIMARY KEY)");
            transactions.run(transaction -> insert(transaction.connection(), 1));

            DiskFullFilePath.setFull(true);
            try {
                assertThrows(TransactionException.class,
                        () -> transactions.run(transaction -> insert(transaction.connection(), 2)));
            } finally {
                DiskFullFilePath.setFull(false);
            }
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> transactions.call(transaction -> insert(transaction.connection(), 3)) == 1);

            assertEquals(List.of(1, 3), noteIds(pool));
        }
    }

    @Test
    public void checkout_diskFullThenFreed_replacesConnection() throws Exception {
        DiskFullFilePath.register();
        String url = "jdbc:h2:" + DiskFullFilePath.SCHEME + ":" + folder.getRoot().toPath().resolve("cohort")
                + ";WRITE_DELAY=0";
        DatabaseSettings settings = new DatabaseSettings(url, "sa", "", "org.h2.Driver", 2, Duration.ofSeconds(5));
        try (HikariDataSource pool = ConnectionPools.open(settings)) {
            execute(pool, "CREATE TABLE note (id INT PRIMARY KEY)");
            execute(pool, "INSERT INTO note VALUES (1)");

            DiskFullFilePath.setFull(true);
            try {
                assertThrows(SQLException.class, () -> execute(pool, "INSERT INTO note VALUES (2)"));
            } finally {
                DiskFullFilePath.setFull(false);
            }
            // HikariCP checks only connections idle for more than 500 ms, so the polls are further apart.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(700)).ignoreExceptions()
                    .until(() -> {
                        execute(pool, "MERGE INTO note KEY (id) VALUES (3)");
                        return true;
                    });

            assertEquals(List.of(1, 3), noteIds(pool));
        }
    }

    private static void execute(HikariDataSource pool, String sql) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int insert(Connection connection, int id) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate("MERGE INTO note KEY (id) VALUES (" + id + ")");
        }
    }

    private static List<Integer> noteIds(HikariDataSource pool) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id FROM note ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }
}
