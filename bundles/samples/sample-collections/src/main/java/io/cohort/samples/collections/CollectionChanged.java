package io.cohort.samples.collections;

/**
 * The sync message that announces a committed change of one collection; receivers reload it from the database.
 *
 * @param collection the collection name
 * @param version the version the change committed
 * @param change what changed, for the log: {@code create}, {@code add-field <name>} or {@code remove-field <name>}
 */
public record CollectionChanged(String collection, long version, String change) {
}
