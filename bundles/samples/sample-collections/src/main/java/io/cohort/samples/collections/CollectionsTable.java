package io.cohort.samples.collections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cohort.samples.collections.CollectionSchema.Field;

/**
 * SQL of the tables {@value #COLLECTIONS} and {@value #FIELDS}. Runs on H2 and PostgreSQL; the {@code sample_}
 * prefix keeps the tables apart from Cohort's own.
 */
final class CollectionsTable {

    static final String COLLECTIONS = "sample_collections_collection";
    static final String FIELDS = "sample_collections_field";

    private CollectionsTable() {
    }

    /** Creates both tables unless they exist. */
    static void createIfAbsent(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + COLLECTIONS + " ("
                    + "name VARCHAR(48) PRIMARY KEY, "
                    + "version BIGINT NOT NULL)");
            statement.execute("CREATE TABLE IF NOT EXISTS " + FIELDS + " ("
                    + "collection_name VARCHAR(48) NOT NULL REFERENCES " + COLLECTIONS + " (name), "
                    + "name VARCHAR(48) NOT NULL, "
                    + "field_type VARCHAR(16) NOT NULL, "
                    + "position INT NOT NULL, "
                    + "PRIMARY KEY (collection_name, name))");
        }
    }

    /** Inserts a new collection row at the schema's version. */
    static void insert(Connection connection, CollectionSchema schema) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + COLLECTIONS + " (name, version) VALUES (?, ?)")) {
            insert.setString(1, schema.name());
            insert.setLong(2, schema.version());
            insert.executeUpdate();
        }
    }

    /** Returns whether a collection of that name exists. */
    static boolean exists(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM " + COLLECTIONS + " WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** Reads one collection with its fields, or empty if there is no such collection. */
    static Optional<CollectionSchema> read(Connection connection, String name) throws SQLException {
        Long version = null;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT version FROM " + COLLECTIONS + " WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    version = row.getLong(1);
                }
            }
        }
        if (version == null) {
            return Optional.empty();
        }
        List<Field> fields = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT name, field_type, position FROM "
                + FIELDS + " WHERE collection_name = ? ORDER BY position")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    fields.add(new Field(row.getString(1), row.getString(2), row.getInt(3)));
                }
            }
        }
        return Optional.of(new CollectionSchema(name, version, fields));
    }

    /** Reads every collection, by name. */
    static Map<String, CollectionSchema> readAll(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT name FROM " + COLLECTIONS + " ORDER BY name")) {
            while (row.next()) {
                names.add(row.getString(1));
            }
        }
        Map<String, CollectionSchema> all = new LinkedHashMap<>();
        for (String name : names) {
            read(connection, name).ifPresent(schema -> all.put(name, schema));
        }
        return all;
    }

    /**
     * Writes {@code next} over {@code current}: moves the collection row from the current version to the next and
     * replaces its fields.
     *
     * @return false, writing nothing, if the row is no longer at {@code current}'s version because another
     *     transaction changed it first
     */
    static boolean replace(Connection connection, CollectionSchema current, CollectionSchema next)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE " + COLLECTIONS + " SET version = ? WHERE name = ? AND version = ?")) {
            update.setLong(1, next.version());
            update.setString(2, next.name());
            update.setLong(3, current.version());
            if (update.executeUpdate() != 1) {
                return false;
            }
        }
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM " + FIELDS + " WHERE collection_name = ?")) {
            delete.setString(1, next.name());
            delete.executeUpdate();
        }
        if (next.fields().isEmpty()) {
            return true;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + FIELDS
                + " (collection_name, name, field_type, position) VALUES (?, ?, ?, ?)")) {
            for (Field field : next.fields()) {
                insert.setString(1, next.name());
                insert.setString(2, field.name());
                insert.setString(3, field.type());
                insert.setInt(4, field.position());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return true;
    }
}
