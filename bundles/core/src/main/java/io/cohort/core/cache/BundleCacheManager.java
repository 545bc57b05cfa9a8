package io.cohort.core.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.cache.Counter;
import io.cohort.core.node.Names;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache manager service instance of one bundle. Caches are shared by name across plugins and nodes, so this
 * view releases nothing when its bundle stops. It only remembers which caches the bundle used, for the log.
 */
@Component(service = CacheManager.class, scope = ServiceScope.BUNDLE)
public final class BundleCacheManager implements CacheManager {

    private static final Logger LOG = LoggerFactory.getLogger(BundleCacheManager.class);

    private final CacheService service;
    private final String bundle;
    private final Set<String> used = ConcurrentHashMap.newKeySet();

    @Activate
    public BundleCacheManager(@Reference(name = "service") CacheService service, ComponentContext context) {
        this(service, describe(context.getUsingBundle()));
    }

    BundleCacheManager(CacheService service, String bundle) {
        this.service = service;
        this.bundle = bundle;
    }

    @Deactivate
    void deactivate() {
        LOG.debug("Cache manager of bundle {} released; the caches it used stay: {}", bundle, used);
    }

    @Override
    public Cache createCache(CacheOptions options) {
        Cache cache = service.createCache(options);
        if (used.add(cache.name())) {
            LOG.debug("Bundle {} uses cache {}", bundle, cache.name());
        }
        return cache;
    }

    @Override
    public Optional<Cache> getCache(String name) {
        return service.getCache(name);
    }

    @Override
    public Set<String> cacheNames() {
        return service.cacheNames();
    }

    @Override
    public Set<String> storeNames() {
        return service.storeNames();
    }

    @Override
    public void flushAll() {
        LOG.info("Bundle {} flushes every cache of the application", bundle);
        service.flushAll();
    }

    @Override
    public Counter createCounter(String name) {
        return service.createCounter(name, null);
    }

    @Override
    public Counter createCounter(String name, Duration ttl) {
        if (ttl == null) {
            throw new IllegalArgumentException("ttl of counter '" + Names.abbreviate(String.valueOf(name))
                    + "' is null; expected a duration of at least 1 ms, or createCounter(name) for none");
        }
        return service.createCounter(name, ttl);
    }

    private static String describe(Bundle using) {
        return using == null ? "(unknown)" : using.getSymbolicName() + " [" + using.getBundleId() + "]";
    }
}
