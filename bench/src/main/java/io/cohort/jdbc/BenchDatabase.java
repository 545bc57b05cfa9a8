package io.cohort.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import io.cohort.api.spi.PubSubAdapter;
import io.cohort.api.spi.SyncOutbox;
import io.cohort.api.tx.TransactionManager;
import io.cohort.jdbc.outbox.JdbcSyncOutbox;
import io.cohort.jdbc.outbox.OutboxRelay;
import io.cohort.jdbc.outbox.RelaySettings;
import io.cohort.jdbc.tx.JdbcTransactionManager;

/**
 * Cohort's database for one benchmark node, opened outside OSGi as the database bundle opens it. It is an H2 file
 * with the node's default pool size and write-on-commit setting and Cohort's schema migrations. On it run the
 * transaction manager and the sync outbox, whose relay has the node's default relay settings.
 *
 * <p>The URL leaves out {@code AUTO_SERVER=TRUE}, which a node's default URL has: only this JVM opens the file, and
 * auto-server mode would open a TCP listener on a random port. The relay publishes through the pub/sub adapter given
 * to {@link #open}; a node has one relay per node, and here only the sending node runs one.
 *
 * <p>This class is part of the bench module only. It declares the database bundle's package so that the compiler
 * checks every call against the real, package-private signatures. The split package is harmless on the benchmark's
 * flat class path.
 */
public final class BenchDatabase implements AutoCloseable {

    /** Table of the row each benchmark transaction updates. */
    public static final String STATE_TABLE = "bench_sync_state";

    private static final int POOL_SIZE = 10;
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RELAY_INTERVAL = Duration.ofMillis(500);
    private static final int RELAY_BATCH = 100;
    private static final Duration RELAY_CLAIM = Duration.ofSeconds(30);
    private static final Duration RELAY_RETRY_DELAY = Duration.ofSeconds(5);

    private final HikariDataSource dataSource;
    private final JdbcTransactionManager transactions;
    private final OutboxRelay relay;
    private final JdbcSyncOutbox outbox;

    private BenchDatabase(HikariDataSource dataSource, OutboxRelay relay) {
        this.dataSource = dataSource;
        this.transactions = new JdbcTransactionManager(dataSource);
        this.relay = relay;
        this.outbox = new JdbcSyncOutbox(dataSource, relay::wakeUp);
    }

    /**
     * Opens the H2 file {@code <directory>/cohort}, migrates it, creates {@value #STATE_TABLE} with one row (id 1,
     * version 0) and starts the relay.
     *
     * @param appName the application whose outbox rows the relay publishes
     * @param adapterName the name the relay looks its adapter up by, as in the node configuration
     * @param adapter the pub/sub adapter the relay publishes through
     * @throws IllegalStateException if the database cannot be opened or migrated
     */
    public static BenchDatabase open(Path directory, String appName, String adapterName, PubSubAdapter adapter) {
        String url = DatabaseSettings.withWriteOnCommit("jdbc:h2:file:" + directory.resolve("cohort").toAbsolutePath());
        DatabaseSettings settings = new DatabaseSettings(url, "sa", "", "org.h2.Driver", POOL_SIZE,
                CONNECTION_TIMEOUT);
        HikariDataSource dataSource = ConnectionPools.open(settings);
        try {
            new SchemaMigrator().migrate(dataSource, settings.safeUrl());
            createStateRow(dataSource);
            RelaySettings relaySettings = new RelaySettings(appName, adapterName, RELAY_INTERVAL, RELAY_BATCH,
                    RELAY_CLAIM, RELAY_RETRY_DELAY);
            OutboxRelay relay = new OutboxRelay(dataSource, relaySettings,
                    name -> adapterName.equals(name) ? adapter : null, Clock.systemUTC(), () -> "bench");
            BenchDatabase database = new BenchDatabase(dataSource, relay);
            relay.start();
            return database;
        } catch (SQLException | RuntimeException e) {
            dataSource.close();
            throw new IllegalStateException("cannot prepare the benchmark database " + settings.safeUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Returns the pooled data source. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Returns the transaction manager, as the database bundle registers it. */
    public TransactionManager transactions() {
        return transactions;
    }

    /** Returns the outbox of durable sync messages; committing a transaction that wrote to it wakes the relay. */
    public SyncOutbox outbox() {
        return outbox;
    }

    /** Returns the relay's polling interval when no commit wakes it. */
    public static Duration relayInterval() {
        return RELAY_INTERVAL;
    }

    /** Stops the relay, then closes the pool. */
    @Override
    public void close() {
        relay.close();
        dataSource.close();
    }

    private static void createStateRow(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + STATE_TABLE
                    + " (id INT PRIMARY KEY, version BIGINT NOT NULL)");
            statement.execute("MERGE INTO " + STATE_TABLE + " (id, version) KEY (id) VALUES (1, 0)");
        }
    }
}
