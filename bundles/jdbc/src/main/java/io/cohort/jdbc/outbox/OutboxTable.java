package io.cohort.jdbc.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.cohort.api.spi.Envelope;

/**
 * The SQL of the outbox table {@code cohort_sync_outbox}, the same on H2 and PostgreSQL. Each method runs on the
 * connection it is given and neither commits nor closes it.
 *
 * <p>Claiming: a relay sets {@code claimed_by} to a token of its own and {@code claimed_until_ms} to the end of its
 * claim, in one {@code UPDATE} whose {@code WHERE} repeats the "unclaimed or expired" test. When two relays race
 * for a row, the database locks it for the first; the second re-checks the condition once the first commits, finds
 * the new claim, and skips the row. PostgreSQL at READ COMMITTED re-evaluates the condition this way, and so does
 * H2 2.3.232 (in H2OutboxTest, two relays racing over 300 rows publish each row once). Only rows carrying its token
 * are then read back, so each claimed row belongs to one relay until its claim expires.
 */
final class OutboxTable {

    private static final String INSERT = "INSERT INTO cohort_sync_outbox "
            + "(message_id, app_name, topic, source_node, sent_at_ms, payload) VALUES (?, ?, ?, ?, ?, ?)";

    private static final String CLAIMABLE = "app_name = ? AND (claimed_until_ms IS NULL OR claimed_until_ms < ?)";

    private static final String CLAIM = "UPDATE cohort_sync_outbox "
            + "SET claimed_by = ?, claimed_until_ms = ?, attempts = attempts + 1 "
            + "WHERE " + CLAIMABLE + " AND seq IN "
            + "(SELECT seq FROM cohort_sync_outbox WHERE " + CLAIMABLE + " ORDER BY seq LIMIT ?)";

    private static final String FETCH = "SELECT seq, message_id, topic, source_node, sent_at_ms, payload, attempts "
            + "FROM cohort_sync_outbox WHERE claimed_by = ? ORDER BY seq";

    private static final String DELETE = "DELETE FROM cohort_sync_outbox WHERE seq = ? AND claimed_by = ?";

    private static final String RELEASE = "UPDATE cohort_sync_outbox SET claimed_by = NULL, claimed_until_ms = ? "
            + "WHERE claimed_by = ?";

    private static final String COUNT = "SELECT COUNT(*) FROM cohort_sync_outbox WHERE app_name = ?";

    private OutboxTable() {
    }

    static void insert(Connection connection, String appName, String topic, Envelope envelope) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            statement.setString(1, envelope.id());
            statement.setString(2, appName);
            statement.setString(3, topic);
            statement.setString(4, envelope.sourceNode());
            statement.setLong(5, envelope.publishedAtMillis());
            statement.setBytes(6, envelope.payload());
            statement.executeUpdate();
        }
    }

    /**
     * Claims up to {@code limit} rows of {@code appName} that are unclaimed or whose claim ended before
     * {@code nowMillis}, oldest first, and returns how many it claimed.
     */
    static int claim(Connection connection, String token, String appName, long nowMillis, long untilMillis,
            int limit) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
            statement.setString(1, token);
            statement.setLong(2, untilMillis);
            statement.setString(3, appName);
            statement.setLong(4, nowMillis);
            statement.setString(5, appName);
            statement.setLong(6, nowMillis);
            statement.setInt(7, limit);
            return statement.executeUpdate();
        }
    }

    /** Returns the rows that carry {@code token}, oldest first. */
    static List<OutboxRow> fetch(Connection connection, String token) throws SQLException {
        List<OutboxRow> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(FETCH)) {
            statement.setString(1, token);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    Envelope envelope = new Envelope(result.getString("message_id"), result.getString("source_node"),
                            result.getLong("sent_at_ms"), /* skipSource= */ true, result.getBytes("payload"));
                    rows.add(new OutboxRow(result.getLong("seq"), result.getString("topic"), envelope,
                            result.getInt("attempts")));
                }
            }
        }
        return rows;
    }

    /** Deletes the rows {@code seqs} that still carry {@code token}. */
    static void delete(Connection connection, String token, List<Long> seqs) throws SQLException {
        if (seqs.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(DELETE)) {
            for (long seq : seqs) {
                statement.setLong(1, seq);
                statement.setString(2, token);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Gives up the rows that still carry {@code token}; no relay claims them before {@code notBeforeMillis}. */
    static void release(Connection connection, String token, long notBeforeMillis) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(RELEASE)) {
            statement.setLong(1, notBeforeMillis);
            statement.setString(2, token);
            statement.executeUpdate();
        }
    }

    /** Returns how many rows of {@code appName} wait in the outbox, claimed or not. */
    static long count(Connection connection, String appName) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(COUNT)) {
            statement.setString(1, appName);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
