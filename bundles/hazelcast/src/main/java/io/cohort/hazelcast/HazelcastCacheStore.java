package io.cohort.hazelcast;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.CacheRegion;
import io.cohort.api.spi.CacheStoreAdapter;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache store {@code hazelcast}: each region is one Hazelcast map ({@code cohort.cache.<region>}) of byte
 * arrays, shared by every node of the cluster.
 *
 * <p>A region with a size limit, or any region while {@code near.cache} is on, gets its own map configuration, added
 * to the running cluster when the region first opens on any node. It copies whatever {@code hazelcast.yaml} sets for
 * that map name (backups, for example) and adds LRU eviction and the near cache. The near cache keeps read entries
 * on the reading member (at most {@code near.cache.max.entries} per region, LRU) in serialized form, so every read
 * returns a fresh array, and each write anywhere sends an invalidation to every member. It also keeps the entries
 * the reading member owns itself ({@code cacheLocalEntries}), so that no read of a cached key waits for the
 * member's partition thread.
 *
 * <p>Counters live in one map, {@value GridNames#COUNTER_MAP}, keyed {@code <app>:<counter>}, and each addition
 * is an entry processor ({@link CounterUpdate}) on the member that owns the key. That keeps additions exact under
 * concurrency, gives each counter its own ttl and keeps the application scoping of keys. The CP subsystem's
 * {@code IAtomicLong} would also be exact, but it has no ttl, is never freed unless destroyed, and in the default
 * unsafe CP mode ({@code cp.member.count=0}) keeps no more copies than a map entry does.
 *
 * <p><b>Warning:</b> {@code maxEntries} is approximate. Hazelcast 5.4 applies it per member, to the entries each
 * member owns, so the cluster keeps up to about members &times; maxEntries. It enforces the limit per partition, at
 * maxEntries &times; members &divide; partitions entries each (271 partitions by default) but never fewer than one.
 * So a region evicts before reaching its limit when keys hash unevenly. A limit below partitions &divide; members
 * behaves as one entry per partition, and Hazelcast logs a warning. Eviction samples entries, so the evicted entry
 * is one of the least recently used, not always the least recently used one. A region whose map configuration was
 * already added with other settings (by a node with other options) keeps the first settings, logged at WARN.
 *
 * <p><b>Warning:</b> with the near cache, a read on one member can return the old value after another member's
 * {@code put} or {@code remove} has returned, until the invalidation arrives. Hazelcast 5.4 sends invalidations
 * asynchronously through its event service, also to the member that owns the key. Only the writing member's own
 * near cache is invalidated before its write returns (Hazelcast reference manual, near cache invalidation). The
 * delay has no upper bound. On 3 members in one JVM on a loaded 2-core machine, 7 of 100 reads on the owner right after
 * another member's put returned the old value, for up to 21 ms, and 2 of 100 after a remove, for up to 8 ms
 * ({@code HazelcastCacheStoreTest} logs these figures on every run). An invalidation lost in transit leaves a stale
 * entry until Hazelcast's reconciliation task repairs it (every 60 seconds by default).
 */
@Component(service = CacheStoreAdapter.class,
        property = Adapters.NAME_PROPERTY + "=" + HazelcastMember.ADAPTER_NAME)
public final class HazelcastCacheStore implements CacheStoreAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCacheStore.class);

    private final HazelcastInstance instance;
    private final MemberSettings settings;
    private final Map<String, HazelcastCacheRegion> regions = new ConcurrentHashMap<>();

    /** Creates the store on the node's member. */
    @Activate
    public HazelcastCacheStore(@Reference(name = "member") HazelcastMember member) {
        this(member.instance(), member.settings());
    }

    HazelcastCacheStore(HazelcastInstance instance, MemberSettings settings) {
        this.instance = instance;
        this.settings = settings;
    }

    /** Opens the region; {@code maxEntries} of a region already open on this node is ignored. */
    @Override
    public CacheRegion openRegion(String regionName, long maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries of cache region " + regionName + " is " + maxEntries
                    + "; expected 0 for no limit or a positive number");
        }
        return regions.computeIfAbsent(regionName, name -> open(name, maxEntries));
    }

    /** Clears the maps of the cluster whose region name starts with {@code regionPrefix}, whoever opened them. */
    @Override
    public int clearRegions(String regionPrefix) {
        String mapPrefix = GridNames.cacheMap(regionPrefix);
        int cleared = 0;
        for (DistributedObject object : instance.getDistributedObjects()) {
            if (object instanceof IMap<?, ?> map && object.getName().startsWith(mapPrefix)) {
                map.clear();
                cleared++;
            }
        }
        LOG.debug("Cleared {} Hazelcast maps whose name starts with {}", cleared, mapPrefix);
        return cleared;
    }

    @Override
    public long addToCounter(String name, long delta, Duration ttl) {
        return counters().executeOnKey(name, new CounterUpdate(delta, HazelcastCacheRegion.ttlMillis(ttl)));
    }

    @Override
    public long counterValue(String name) {
        return CounterUpdate.count(counters().get(name), System.currentTimeMillis());
    }

    @Override
    public void removeCounter(String name) {
        counters().delete(name);
    }

    private IMap<String, long[]> counters() {
        return instance.getMap(GridNames.COUNTER_MAP);
    }

    private HazelcastCacheRegion open(String regionName, long maxEntries) {
        String mapName = GridNames.cacheMap(regionName);
        if (maxEntries > 0 || settings.nearCache()) {
            configure(regionName, mapName, maxEntries);
        }
        HazelcastCacheRegion region = new HazelcastCacheRegion(regionName, instance.getMap(mapName));
        LOG.info("Cache region {} opened on Hazelcast map {} (maxEntries {}, near cache {})", regionName, mapName,
                maxEntries, settings.nearCache());
        return region;
    }

    private void configure(String regionName, String mapName, long maxEntries) {
        MapConfig mapConfig = new MapConfig(instance.getConfig().findMapConfig(mapName)).setName(mapName);
        if (maxEntries > 0) {
            mapConfig.setEvictionConfig(new EvictionConfig()
                    .setEvictionPolicy(EvictionPolicy.LRU)
                    .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
                    .setSize((int) Math.min(maxEntries, Integer.MAX_VALUE)));
        }
        if (settings.nearCache()) {
            mapConfig.setNearCacheConfig(new NearCacheConfig(mapName)
                    .setInvalidateOnChange(true)
                    .setCacheLocalEntries(true)
                    .setInMemoryFormat(InMemoryFormat.BINARY)
                    .setEvictionConfig(new EvictionConfig()
                            .setEvictionPolicy(EvictionPolicy.LRU)
                            .setMaxSizePolicy(MaxSizePolicy.ENTRY_COUNT)
                            .setSize(settings.nearCacheMaxEntries())));
        }
        try {
            instance.getConfig().addMapConfig(mapConfig);
        } catch (InvalidConfigurationException e) {
            LOG.warn("Cache region {} keeps the configuration its map {} already has in the cluster instead of "
                    + "maxEntries {} and near cache {}: {}", regionName, mapName, maxEntries, settings.nearCache(),
                    e.getMessage());
        }
    }
}
