package io.cohort.api.cache;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The options of a cache: its name, key prefix, store, default ttl and maximum size.
 *
 * <p>Build with {@link #builder(String)}. Validation happens in {@link CacheManager#createCache(CacheOptions)}, which
 * names the invalid value and what is allowed.
 */
public final class CacheOptions {

    /** The store that keeps entries in this node's memory. */
    public static final String MEMORY_STORE = "memory";

    private final String name;
    private final String prefix;
    private final String store;
    private final Duration ttl;
    private final long maxEntries;

    private CacheOptions(Builder builder) {
        this.name = builder.name;
        this.prefix = builder.prefix == null ? builder.name : builder.prefix;
        this.store = builder.store;
        this.ttl = builder.ttl;
        this.maxEntries = builder.maxEntries;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The cache name, 1 to 200 characters from {@code A-Z a-z 0-9 . _ - : /}. */
    public String name() {
        return name;
    }

    /** The key prefix; the cache name unless set. Two caches on one store may not share a prefix. */
    public String prefix() {
        return prefix;
    }

    /** The store name; {@code null} means the node's default store from configuration. */
    public String store() {
        return store;
    }

    /** The default ttl of entries, or empty for no expiry. */
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    /** The maximum number of entries the store keeps for this cache, or 0 for no limit. */
    public long maxEntries() {
        return maxEntries;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof CacheOptions that)) {
            return false;
        }
        return maxEntries == that.maxEntries && name.equals(that.name) && Objects.equals(prefix, that.prefix)
                && Objects.equals(store, that.store) && Objects.equals(ttl, that.ttl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, prefix, store, ttl, maxEntries);
    }

    @Override
    public String toString() {
        return "CacheOptions[name=" + name + ", prefix=" + prefix + ", store=" + store + ", ttl=" + ttl
                + ", maxEntries=" + maxEntries + "]";
    }

    /** Builder of {@link CacheOptions}. */
    public static final class Builder {

        private final String name;
        private String prefix;
        private String store;
        private Duration ttl;
        private long maxEntries;

        private Builder(String name) {
            this.name = name;
        }

        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder store(String store) {
            this.store = store;
            return this;
        }

        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder maxEntries(long maxEntries) {
            this.maxEntries = maxEntries;
            return this;
        }

        public CacheOptions build() {
            return new CacheOptions(this);
        }
    }
}
