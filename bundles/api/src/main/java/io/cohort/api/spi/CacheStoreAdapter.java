package io.cohort.api.spi;

import java.time.Duration;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A cache store. The cache manager opens one region per cache and does validation, JSON mapping, key prefixes and
 * single-flight loading itself, so a store only keeps bytes.
 */
@ConsumerType
public interface CacheStoreAdapter {

    /**
     * Opens the region {@code regionName} ({@code <app.name>:<prefix>}), or returns the open one.
     *
     * @param maxEntries the most entries the region keeps, evicting others beyond it, or 0 for no limit
     */
    CacheRegion openRegion(String regionName, long maxEntries);

    /**
     * Deletes every entry of every region whose name starts with {@code regionPrefix}, including regions that only
     * other nodes opened.
     *
     * @return how many regions were cleared
     */
    int clearRegions(String regionPrefix);

    /**
     * Adds {@code delta} to the counter {@code name} ({@code <app.name>:<counter>}) in one atomic step on every node
     * that shares the store. An absent or expired counter starts from 0 and then expires after {@code ttl}
     * ({@code null} for never); a present one keeps its expiry.
     *
     * @return the value after the addition
     */
    long addToCounter(String name, long delta, Duration ttl);

    /** Returns the value of the counter {@code name}, or 0 if it is absent or expired. */
    long counterValue(String name);

    /** Deletes the counter {@code name}. */
    void removeCounter(String name);
}
