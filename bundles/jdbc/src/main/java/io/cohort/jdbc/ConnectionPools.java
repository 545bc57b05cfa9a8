package io.cohort.jdbc;

import java.sql.SQLException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** Opens the HikariCP pool of Cohort's database. */
final class ConnectionPools {

    /** The pool name, which HikariCP puts in its log lines and thread names. */
    static final String POOL_NAME = "cohort-db";

    /**
     * The query that checks an H2 connection before the pool hands it out. H2 2.3.232 closes an embedded database
     * after a failed file write (a full disk, for example) but keeps its sessions open, so
     * {@code Connection.isValid} still returns true and every statement fails with error 90098 until the pool drops
     * the connection. A query reaches the closed database, fails, and makes HikariCP replace the connection by one
     * that opens the database again.
     */
    static final String H2_TEST_QUERY = "SELECT 1";

    private static final String H2_DRIVER = "org.h2.Driver";

    private ConnectionPools() {
    }

    /**
     * Opens a pool and its first connection, so that a wrong URL, user or password fails here.
     *
     * <p>Loading the driver in OSGi: {@code DriverManager} only returns drivers that the calling class loader can
     * load, and a bundle's class loader loads only the packages the bundle imports. So Cohort gives HikariCP the
     * driver class name and never calls {@code DriverManager} itself. HikariCP 5.1.0's manifest has
     * {@code DynamicImport-Package: *}, so its class loader loads {@code org.h2.Driver} or
     * {@code org.postgresql.Driver} from whichever bundle exports the package (the H2 2.3.232 and PostgreSQL 42.7.x
     * jars are bundles that export them). Checked in Felix 7.0.5
     * with each driver as a bundle of its own: H2 opened its database, and the PostgreSQL 42.7.13 driver loaded and
     * reported a refused connection. The OSGi JDBC {@code DataSourceFactory} services that both drivers can register
     * need the {@code org.osgi.service.jdbc} bundle, which this route does without.
     *
     * @throws IllegalStateException naming the URL (password masked) and the user, with the driver's reason,
     *     if the driver is missing or the first connection fails within the connection timeout
     */
    static HikariDataSource open(DatabaseSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(POOL_NAME);
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setInitializationFailTimeout(settings.connectionTimeout().toMillis());
        if (settings.driverClass().equals(H2_DRIVER)) {
            // NOTE: HikariCP 5.1.0 skips the check for a connection used within the last 500 ms. A plugin that uses
            // the DataSource directly and retries sooner can get the broken connection again, while transactions
            // and the outbox relay evict the pool through PoolEviction at once.
            config.setConnectionTestQuery(H2_TEST_QUERY);
        }
        try {
            config.setDriverClassName(settings.driverClass());
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            // The original exception is not kept as the cause: a driver may quote the URL, password included.
            String reason = settings.withoutPassword(rootMessage(e));
            throw new IllegalStateException("cannot open database " + settings.safeUrl() + " as user '"
                    + settings.user() + "': " + reason + ". Check url, user and password in the configuration "
                    + DatabaseComponent.PID + ", and that the database runs and the driver bundle is installed");
        }
    }

    /** Returns the message of the deepest cause, which is the driver's own words in HikariCP's wrappers. */
    private static String rootMessage(Throwable error) {
        Throwable root = PoolEviction.rootCause(error);
        String state = root instanceof SQLException sql && sql.getSQLState() != null
                ? " (SQL state " + sql.getSQLState() + ")" : "";
        return root.getClass().getSimpleName() + ": " + root.getMessage() + state;
    }
}
