package io.cohort.jdbc;

import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.rules.ExternalResource;

/**
 * A database for one test: an H2 file in a fresh directory opened with {@code AUTO_SERVER=TRUE}, or a fresh schema
 * in the PostgreSQL database named by the environment variable {@value #POSTGRES_URL} (with
 * {@value #POSTGRES_USER} and {@value #POSTGRES_PASSWORD}); PostgreSQL tests are skipped when it is not set. Every
 * pool opened through {@link #open()} shares the database, like the nodes of one cluster, and is closed after the
 * test.
 */
public abstract class TestDatabase extends ExternalResource {

    public static final String POSTGRES_URL = "COHORT_TEST_POSTGRES_URL";
    public static final String POSTGRES_USER = "COHORT_TEST_POSTGRES_USER";
    public static final String POSTGRES_PASSWORD = "COHORT_TEST_POSTGRES_PASSWORD";

    private final List<HikariDataSource> pools = new ArrayList<>();

    /** Returns an H2 database in a new temporary directory. */
    public static TestDatabase h2() {
        return new H2();
    }

    /** Returns a new schema in the configured PostgreSQL database; the test is skipped if none is configured. */
    public static TestDatabase postgres() {
        return new Postgres();
    }

    /** Returns the JDBC URL every pool uses. */
    public abstract String url();

    public abstract String user();

    public abstract String password();

    /** Opens a new pool of up to {@code poolSize} connections on the database and runs Cohort's migrations. */
    public DataSource open(int poolSize) {
        DatabaseSettings settings = settings(poolSize);
        HikariDataSource pool = ConnectionPools.open(settings);
        pools.add(pool);
        new SchemaMigrator().migrate(pool, settings.safeUrl());
        return pool;
    }

    /** Opens a new pool of 4 connections, as {@link #open(int)}. */
    public DataSource open() {
        return open(4);
    }

    /** Returns the settings of a pool of {@code poolSize} connections on the database. */
    public DatabaseSettings settings(int poolSize) {
        String driver = url().startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver";
        return new DatabaseSettings(url(), user(), password(), driver, poolSize, Duration.ofSeconds(10));
    }

    /** Opens a connection outside any pool, without migrating. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user(), password());
    }

    @Override
    protected void after() {
        pools.forEach(HikariDataSource::close);
        pools.clear();
        cleanUp();
    }

    protected abstract void cleanUp();

    private static String randomSuffix() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    private static final class H2 extends TestDatabase {

        private Path directory;

        @Override
        protected void before() throws Exception {
            directory = Files.createTempDirectory("cohort-jdbc-test-");
        }

        @Override
        public String url() {
            return "jdbc:h2:file:" + directory.resolve("cohort") + ";AUTO_SERVER=TRUE";
        }

        @Override
        public String user() {
            return "sa";
        }

        @Override
        public String password() {
            return "";
        }

        @Override
        protected void cleanUp() {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (Exception e) {
                throw new IllegalStateException("cannot delete test database directory " + directory, e);
            }
        }
    }

    private static final class Postgres extends TestDatabase {

        private final String baseUrl = System.getenv(POSTGRES_URL);
        private final String schema = "cohort_test_" + randomSuffix();

        @Override
        protected void before() throws Exception {
            assumeTrue(POSTGRES_URL + " is not set, so the PostgreSQL tests are skipped",
                    baseUrl != null && !baseUrl.isBlank());
            try (Connection connection = DriverManager.getConnection(baseUrl, user(), password());
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE SCHEMA " + schema);
            }
        }

        @Override
        public String url() {
            return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }

        @Override
        public String user() {
            String user = System.getenv(POSTGRES_USER);
            return user == null ? "postgres" : user;
        }

        @Override
        public String password() {
            String password = System.getenv(POSTGRES_PASSWORD);
            return password == null ? "" : password;
        }

        @Override
        protected void cleanUp() {
            try (Connection connection = DriverManager.getConnection(baseUrl, user(), password());
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop test schema " + schema, e);
            }
        }
    }
}
