package io.cohort.samples.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;

/**
 * SQL of the table {@value #TABLE}, which contains one row: the application's token policy. Runs on H2 and
 * PostgreSQL.
 */
final class PolicyTable {

    /** The table name; the {@code sample_auth_} prefix keeps it apart from Cohort's own tables. */
    static final String TABLE = "sample_auth_policy";

    /** The primary key of the one row. */
    private static final String ROW_ID = "default";

    private static final String COLUMNS = "token_ttl_minutes, max_failed_logins, require_mfa, version, updated_by, "
            + "updated_at_ms";

    private PolicyTable() {
    }

    /** Creates the table if it does not exist and writes {@link TokenPolicy#DEFAULT} if it has no row. */
    static void createIfAbsent(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + "id VARCHAR(32) PRIMARY KEY, "
                    + "token_ttl_minutes INT NOT NULL, "
                    + "max_failed_logins INT NOT NULL, "
                    + "require_mfa BOOLEAN NOT NULL, "
                    + "version BIGINT NOT NULL, "
                    + "updated_by VARCHAR(64) NOT NULL, "
                    + "updated_at_ms BIGINT NOT NULL)");
        }
        if (read(connection, false).isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO " + TABLE + " (id, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, ROW_ID);
                bind(insert, 2, TokenPolicy.DEFAULT);
                insert.executeUpdate();
            }
        }
    }

    /**
     * Reads the policy row, locking it until the transaction ends when {@code forUpdate} is set.
     *
     * @return the policy, or empty if the row is missing
     */
    static Optional<TokenPolicy> read(Connection connection, boolean forUpdate) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM " + TABLE + " WHERE id = ?" + (forUpdate ? " FOR UPDATE" : "");
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, ROW_ID);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new TokenPolicy(row.getInt(1), row.getInt(2), row.getBoolean(3), row.getLong(4),
                        row.getString(5), Instant.ofEpochMilli(row.getLong(6))));
            }
        }
    }

    /** Overwrites the policy row with {@code policy}. */
    static void update(Connection connection, TokenPolicy policy) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + TABLE + " SET "
                + "token_ttl_minutes = ?, max_failed_logins = ?, require_mfa = ?, version = ?, updated_by = ?, "
                + "updated_at_ms = ? WHERE id = ?")) {
            bind(update, 1, policy);
            update.setString(7, ROW_ID);
            if (update.executeUpdate() != 1) {
                throw new SQLException("the row '" + ROW_ID + "' of " + TABLE + " is missing");
            }
        }
    }

    private static void bind(PreparedStatement statement, int first, TokenPolicy policy) throws SQLException {
        statement.setInt(first, policy.tokenTtlMinutes());
        statement.setInt(first + 1, policy.maxFailedLogins());
        statement.setBoolean(first + 2, policy.requireMfa());
        statement.setLong(first + 3, policy.version());
        statement.setString(first + 4, policy.updatedBy());
        statement.setLong(first + 5, policy.updatedAt().toEpochMilli());
    }
}
