package io.cohort.samples.tasks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SQL of the table {@value #TABLE}. Runs on H2 and PostgreSQL; the {@code sample_} prefix keeps it apart from
 * Cohort's own tables.
 */
final class TaskTable {

    static final String TABLE = "sample_tasks_task";

    private static final String COLUMNS = "id, kind, steps, status, progress, node, attempt, cancel_requested, "
            + "created_at_ms, message";

    private TaskTable() {
    }

    static void createIfAbsent(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + "id VARCHAR(32) PRIMARY KEY, "
                    + "kind VARCHAR(32) NOT NULL, "
                    + "steps INT NOT NULL, "
                    + "status VARCHAR(16) NOT NULL, "
                    + "progress INT NOT NULL, "
                    + "node VARCHAR(64) NOT NULL, "
                    + "attempt INT NOT NULL, "
                    + "cancel_requested BOOLEAN NOT NULL, "
                    + "created_at_ms BIGINT NOT NULL, "
                    + "message VARCHAR(300) NOT NULL)");
        }
    }

    static void insert(Connection connection, TaskRow row) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, row.id());
            insert.setString(2, row.kind());
            insert.setInt(3, row.steps());
            insert.setString(4, row.status().name());
            insert.setInt(5, row.progress());
            insert.setString(6, row.node());
            insert.setInt(7, row.attempt());
            insert.setBoolean(8, row.cancelRequested());
            insert.setLong(9, row.createdAt().toEpochMilli());
            insert.setString(10, row.message());
            insert.executeUpdate();
        }
    }

    /** Reads one row, locking it until the transaction ends when {@code forUpdate} is set. */
    static Optional<TaskRow> read(Connection connection, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE
                + " WHERE id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(map(rows)) : Optional.empty();
            }
        }
    }

    /** Reads the newest {@code limit} rows, newest first. */
    static List<TaskRow> newest(Connection connection, int limit) throws SQLException {
        List<TaskRow> result = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE
                + " ORDER BY created_at_ms DESC, id LIMIT ?")) {
            select.setInt(1, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(map(rows));
                }
            }
        }
        return result;
    }

    /**
     * Marks a queued or running task as running on {@code node} in {@code attempt}.
     *
     * @return false, changing nothing, if the row has ended (done, cancelled or failed) or requests a cancel
     */
    static boolean markRunning(Connection connection, String id, String node, int attempt) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + TABLE
                + " SET status = ?, node = ?, attempt = ?, message = ? WHERE id = ? AND status IN (?, ?)"
                + " AND cancel_requested = FALSE")) {
            update.setString(1, TaskStatus.RUNNING.name());
            update.setString(2, node);
            update.setInt(3, attempt);
            update.setString(4, "running on node " + node + ", attempt " + attempt);
            update.setString(5, id);
            update.setString(6, TaskStatus.QUEUED.name());
            update.setString(7, TaskStatus.RUNNING.name());
            return update.executeUpdate() == 1;
        }
    }

    /**
     * Stores the completed steps of a running task.
     *
     * @return whether the row requests a cancel
     */
    static boolean progress(Connection connection, String id, int completed) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE " + TABLE + " SET progress = ? WHERE id = ?")) {
            update.setInt(1, completed);
            update.setString(2, id);
            update.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT cancel_requested FROM " + TABLE + " WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    /** Sets the status and message of a task, whatever its state. */
    static void finish(Connection connection, String id, TaskStatus status, String message) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE " + TABLE + " SET status = ?, message = ? WHERE id = ?")) {
            update.setString(1, status.name());
            update.setString(2, truncate(message));
            update.setString(3, id);
            update.executeUpdate();
        }
    }

    /** Marks the row of a running task as requesting a cancel. */
    static void requestCancel(Connection connection, String id, String message) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE " + TABLE + " SET cancel_requested = TRUE, message = ? WHERE id = ?")) {
            update.setString(1, truncate(message));
            update.setString(2, id);
            update.executeUpdate();
        }
    }

    private static TaskRow map(ResultSet row) throws SQLException {
        return new TaskRow(row.getString(1), row.getString(2), row.getInt(3), TaskStatus.valueOf(row.getString(4)),
                row.getInt(5), row.getString(6), row.getInt(7), row.getBoolean(8),
                Instant.ofEpochMilli(row.getLong(9)), row.getString(10));
    }

    private static String truncate(String message) {
        return message.length() <= 300 ? message : message.substring(0, 297) + "...";
    }
}
