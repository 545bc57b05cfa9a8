package io.cohort.samples.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockManager;
import io.cohort.api.plugin.Plugin;
import io.cohort.api.plugin.PluginContext;
import io.cohort.api.tx.TransactionManager;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caches a settings row that every node reads often and an operator changes rarely: the token policy.
 *
 * <p>Reads go through {@link Cache#wrap} on a cache of the cluster store ({@value #CLUSTER_STORE}) with a
 * {@link #POLICY_TTL} ttl, so the database is read about once a minute for the whole cluster. A change writes the
 * row in a transaction and deletes the cached entry after the commit. The entry lives in the cluster store, so that
 * one delete empties it for every node, and the next read on any node loads the new row at once instead of waiting
 * for the ttl.
 */
@Component(service = {Plugin.class, AuthPlugin.class}, property = Plugin.NAME_PROPERTY + "=" + AuthPlugin.NAME)
public class AuthPlugin implements Plugin {

    /** The plugin name. */
    static final String NAME = "sample-auth";

    /** The cache store that Cohort's Hazelcast member provides, shared by every node of the cluster. */
    static final String CLUSTER_STORE = "hazelcast";

    /** The key of the policy in the cache {@value #CACHE_NAME}. */
    static final String POLICY_KEY = "token-policy";

    static final String CACHE_NAME = "sample-auth.settings";

    static final Duration POLICY_TTL = Duration.ofSeconds(60);

    /** Serializes the table setup of nodes that load the plugin at the same time. */
    private static final String SCHEMA_LOCK = NAME + ":create-table";

    private static final Duration SCHEMA_LOCK_TTL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(AuthPlugin.class);

    @Reference
    private CacheManager cacheManager;

    @Reference
    private TransactionManager transactions;

    @Reference
    private LockManager locks;

    private volatile Cache settings;
    private volatile String nodeId;

    @Override
    public void beforeLoad(PluginContext context) throws Exception {
        locks.runExclusive(SCHEMA_LOCK, () -> {
            transactions.run(tx -> PolicyTable.createIfAbsent(tx.connection()));
            return null;
        }, SCHEMA_LOCK_TTL);
        settings = cacheManager.createCache(CacheOptions.builder(CACHE_NAME)
                .store(CLUSTER_STORE)
                .ttl(POLICY_TTL)
                .build());
    }

    @Override
    public void load(PluginContext context) {
        nodeId = context.nodeId();
        LOG.info("Plugin {} loaded on node {}: token policy cached in {} for {}", NAME, nodeId, CACHE_NAME,
                POLICY_TTL);
    }

    @Override
    public void unload(PluginContext context) {
        nodeId = null;
    }

    /** Returns the policy and whether this read loaded it from the database or found it in the cache. */
    PolicyRead readPolicy() {
        Cache cache = requireLoaded();
        AtomicBoolean loaded = new AtomicBoolean();
        TokenPolicy policy = cache.wrap(POLICY_KEY, TokenPolicy.class, () -> {
            loaded.set(true);
            return transactions.call(tx -> PolicyTable.read(tx.connection(), false))
                    .orElseThrow(() -> new IllegalStateException("the table " + PolicyTable.TABLE + " has no row"));
        });
        if (loaded.get()) {
            LOG.info("Node {} loaded token policy version {} from the database into cache {}", nodeId,
                    policy.version(), CACHE_NAME);
        }
        return new PolicyRead(policy, loaded.get());
    }

    /**
     * Changes the policy: validates the settings, writes the row in a transaction and deletes the cached entry after
     * the commit.
     *
     * @throws IllegalArgumentException if a setting is invalid; nothing is written then
     */
    TokenPolicy changePolicy(List<String> assignments) throws Exception {
        Cache cache = requireLoaded();
        PolicyChange change = PolicyChange.parse(assignments);
        String writer = nodeId;

        // NOTE: a node whose loader read the old row just before this commit can store it after the delete below,
        // and its copy then lives until the ttl. Guarding the loader and this change with one lock would close that
        // window at the cost of a lock per cache miss.
        TokenPolicy updated = transactions.call(tx -> {
            TokenPolicy current = PolicyTable.read(tx.connection(), true)
                    .orElseThrow(() -> new IllegalStateException("the table " + PolicyTable.TABLE + " has no row"));
            TokenPolicy next = current.next(change, writer, Instant.now().truncatedTo(ChronoUnit.MILLIS));
            PolicyTable.update(tx.connection(), next);
            tx.afterCommit(() -> cache.del(POLICY_KEY));
            return next;
        });

        LOG.info("Node {} wrote token policy version {} and deleted the cached entry {} of cache {}", writer,
                updated.version(), POLICY_KEY, CACHE_NAME);
        return updated;
    }

    private Cache requireLoaded() {
        Cache cache = settings;
        if (cache == null || nodeId == null) {
            throw new IllegalStateException("plugin " + NAME + " is not loaded; see cohort:plugins for its state");
        }
        return cache;
    }

    /**
     * One read of the policy.
     *
     * @param policy the policy read
     * @param fromDatabase whether this read missed the cache and loaded the row
     */
    record PolicyRead(TokenPolicy policy, boolean fromDatabase) {
    }
}
