package io.cohort.api.admin;

import java.time.Duration;

/**
 * The state of one cache on one node. The counters count calls on that node only, since its core started, so a cache
 * shared by several nodes has one row per node.
 *
 * @param nodeId the node this row comes from
 * @param name the cache name
 * @param store the store that keeps the entries
 * @param region the region name in the store, {@code <app>:<prefix>}
 * @param ttl the default ttl of entries, or {@code null} when entries do not expire by default
 * @param maxEntries the maximum number of entries, or 0 for no limit
 * @param entries the store's estimate of the entries in the cache now, or -1 when the store is not registered
 * @param hits keys read and found
 * @param misses keys read and not found
 * @param sets entries written
 * @param deletes entries deleted
 * @param loads calls of a {@code wrap} loader
 * @param loadFailures loader calls that failed
 */
public record CacheView(String nodeId, String name, String store, String region, Duration ttl, long maxEntries,
        long entries, long hits, long misses, long sets, long deletes, long loads, long loadFailures) {
}
