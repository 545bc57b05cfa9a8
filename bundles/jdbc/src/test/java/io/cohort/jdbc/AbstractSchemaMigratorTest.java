package io.cohort.jdbc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.cohort.jdbc.migration.V1__CreateSyncOutbox;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Schema migration scenarios, run on each database by a subclass. */
public abstract class AbstractSchemaMigratorTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(120);

    @Rule
    public final TestDatabase database = database();

    private final List<HikariDataSource> pools = new ArrayList<>();
    protected final AtomicInteger runs = new AtomicInteger();

    protected abstract TestDatabase database();

    @After
    public void closePools() {
        pools.forEach(HikariDataSource::close);
    }

    @Test
    public void twoMigratorsAtOnce_runMigrationOnce() throws Exception {
        int nodes = 2;
        CyclicBarrier start = new CyclicBarrier(nodes);
        ExecutorService threads = Executors.newFixedThreadPool(nodes);
        List<Future<Integer>> executed = new ArrayList<>();

        try {
            for (int i = 0; i < nodes; i++) {
                DataSource pool = pool();
                executed.add(threads.submit(() -> {
                    start.await();
                    return countingMigrator().migrate(pool, database.url());
                }));
            }
            int total = 0;
            for (Future<Integer> result : executed) {
                total += result.get();
            }
            assertEquals(1, total);
        } finally {
            threads.shutdownNow();
        }

        assertEquals(1, runs.get());
        assertEquals(List.of("1"), appliedVersions());
        assertTrue(outboxTableExists());
    }

    @Test
    public void secondMigrator_later_runsNothing() throws Exception {
        countingMigrator().migrate(pool(), database.url());

        int executed = countingMigrator().migrate(pool(), database.url());

        assertEquals(0, executed);
        assertEquals(1, runs.get());
    }

    @Test
    public void schemaWithPluginTables_baselinedThenMigrated() throws Exception {
        DataSource pool = pool();
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE plugin_orders (id INT PRIMARY KEY)");
        }

        int executed = countingMigrator().migrate(pool, database.url());

        assertEquals(1, executed);
        assertTrue(outboxTableExists());
    }

    protected DataSource pool() {
        HikariDataSource pool = ConnectionPools.open(database.settings(2));
        pools.add(pool);
        return pool;
    }

    private SchemaMigrator countingMigrator() {
        return failingMigrator(0);
    }

    /** Returns a migrator whose migration counts its runs in {@link #runs} and throws in its first {@code failures}. */
    protected SchemaMigrator failingMigrator(int failures) {
        return new SchemaMigrator(List.of(new CountingMigration(new V1__CreateSyncOutbox(), runs, failures)));
    }

    private List<String> appliedVersions() throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT \"version\" FROM \""
                        + SchemaMigrator.HISTORY_TABLE + "\" WHERE \"success\" AND \"version\" <> '0' "
                        + "ORDER BY \"installed_rank\"")) {
            while (result.next()) {
                versions.add(result.getString(1));
            }
        }
        return versions;
    }

    protected boolean outboxTableExists() throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM cohort_sync_outbox")) {
            return result.next();
        }
    }

    /** Runs a migration and counts its runs across all nodes of a test; the first {@code failures} runs throw. */
    private static final class CountingMigration implements JavaMigration {

        private final JavaMigration delegate;
        private final AtomicInteger runs;
        private final int failures;

        CountingMigration(JavaMigration delegate, AtomicInteger runs, int failures) {
            this.delegate = delegate;
            this.runs = runs;
            this.failures = failures;
        }

        @Override
        public MigrationVersion getVersion() {
            return delegate.getVersion();
        }

        @Override
        public String getDescription() {
            return delegate.getDescription();
        }

        @Override
        public Integer getChecksum() {
            return delegate.getChecksum();
        }

        @Override
        public boolean canExecuteInTransaction() {
            return delegate.canExecuteInTransaction();
        }

        @Override
        public void migrate(Context context) throws Exception {
            int run = runs.incrementAndGet();
            if (run <= failures) {
                throw new IllegalStateException("planned failure of run " + run);
            }
            delegate.migrate(context);
        }
    }
}
