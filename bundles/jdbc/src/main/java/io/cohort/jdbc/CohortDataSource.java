package io.cohort.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The {@link DataSource} service: it hands out pooled connections and hides the pool, so that a bundle cannot close
 * or reconfigure the pool that the whole node shares.
 */
final class CohortDataSource implements DataSource {

    private final HikariDataSource pool;
    private final String description;

    CohortDataSource(HikariDataSource pool, String description) {
        this.pool = pool;
        this.description = description;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    /** Rejects other credentials: every connection of the pool belongs to the configured user. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("Cohort's pooled DataSource " + description + " opens connections "
                + "as the configured user only; call getConnection()");
    }

    /** Returns the database this DataSource opens, with any password masked. */
    String description() {
        return description;
    }

    /** Closes the idle connections of the pool, and each connection in use when it is returned. */
    void evictAll() {
        pool.getHikariPoolMXBean().softEvictConnections();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        throw new SQLFeatureNotSupportedException("the log writer of Cohort's pooled DataSource cannot be changed");
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("the login timeout of Cohort's pooled DataSource is set by "
                + "connection.timeout.ms in the configuration " + DatabaseComponent.PID);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Cohort's pooled DataSource logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("Cohort's pooled DataSource does not wrap a " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "CohortDataSource[" + description + "]";
    }
}
