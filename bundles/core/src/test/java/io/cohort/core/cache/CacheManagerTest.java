package io.cohort.core.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.spi.Adapters;
import io.cohort.core.memory.MemoryCacheStore;
import io.cohort.core.node.NodeSettings;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class CacheManagerTest {

    private static final Duration SHORT_TTL = Duration.ofMillis(100);

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    private final MemoryCacheStore store = new MemoryCacheStore();
    private CacheService service;
    private CacheManager manager;

    public record User(String name, List<String> roles) {
    }

    @Before
    public void startService() {
        service = new CacheService(settings("memory"));
        service.addStore(store, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        manager = new BundleCacheManager(service, "test.plugin [7]");
    }

    @Test
    public void createCache_equalOptions_returnsExisting() {
        Cache first = manager.createCache(CacheOptions.builder("users").ttl(Duration.ofMinutes(5)).build());

        Cache second = manager.createCache(CacheOptions.builder("users").ttl(Duration.ofMinutes(5)).build());

        assertSame(first, second);
    }

    @Test
    public void createCache_fromAnotherBundleView_sharesEntries() {
        Cache mine = manager.createCache(CacheOptions.builder("users").build());
        mine.set("k", "v");
        CacheManager other = new BundleCacheManager(service, "other.plugin [8]");

        Cache theirs = other.createCache(CacheOptions.builder("users").build());

        assertEquals(Optional.of("v"), theirs.get("k", String.class));
    }

    @Test
    public void createCache_defaultStoreByName_returnsExisting() {
        Cache first = manager.createCache(CacheOptions.builder("users").build());

        Cache second = manager.createCache(CacheOptions.builder("users").store("memory").build());

        assertSame(first, second);
    }

    @Test
    public void createCache_sameNameOtherOptions_throws() {
        manager.createCache(CacheOptions.builder("users").ttl(Duration.ofMinutes(5)).build());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> manager.createCache(CacheOptions.builder("users").ttl(Duration.ofMinutes(6)).build()));

        assertTrue(e.getMessage(), e.getMessage().contains("cache 'users' already exists"));
        assertTrue(e.getMessage(), e.getMessage().contains("PT6M"));
    }

    @Test
    public void createCache_prefixUsedOnSameStore_throws() {
        manager.createCache(CacheOptions.builder("users").prefix("u").build());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> manager.createCache(CacheOptions.builder("people").prefix("u").build()));

        assertTrue(e.getMessage(), e.getMessage().contains("prefix 'u'"));
        assertTrue(e.getMessage(), e.getMessage().contains("cache 'users'"));
        assertEquals(Set.of("users"), manager.cacheNames());
    }

    @Test
    public void createCache_prefixUsedOnOtherStore_creates() {
        service.addStore(new MemoryCacheStore(), Map.of(Adapters.NAME_PROPERTY, "second"));
        manager.createCache(CacheOptions.builder("users").prefix("u").build());

        Cache people = manager.createCache(CacheOptions.builder("people").prefix("u").store("second").build());

        assertEquals("people", people.name());
    }

    @Test
    public void createCache_nameIsOtherPrefix_throws() {
        manager.createCache(CacheOptions.builder("users").prefix("people").build());

        assertThrows(IllegalArgumentException.class, () -> manager.createCache(CacheOptions.builder("people").build()));
    }

    @Test
    public void createCache_unknownStore_listsRegisteredStores() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> manager.createCache(CacheOptions.builder("users").store("redis").build()));

        assertTrue(e.getMessage(), e.getMessage().contains("'redis'"));
        assertTrue(e.getMessage(), e.getMessage().contains("[memory]"));
    }

    @Test
    public void createCache_defaultStoreMissing_throwsIllegalState() {
        CacheService misconfigured = new CacheService(settings("hazelcast"));
        misconfigured.addStore(store, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> misconfigured.createCache(CacheOptions.builder("users").build()));

        assertTrue(e.getMessage(), e.getMessage().contains("'hazelcast'"));
        assertTrue(e.getMessage(), e.getMessage().contains("[memory]"));
    }

    @Test
    public void getCache_created_returnsIt() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());

        assertEquals(Optional.of(users), manager.getCache("users"));
        assertEquals(Optional.empty(), manager.getCache("orders"));
        assertEquals(Set.of("users"), manager.cacheNames());
        assertEquals(Set.of("memory"), manager.storeNames());
    }

    @Test
    public void set_key_storedUnderAppAndPrefix() {
        Cache users = manager.createCache(CacheOptions.builder("users").prefix("u").build());

        users.set("42", "alice");

        assertNotNull(store.openRegion("shop:u", 0).get("42"));
    }

    @Test
    public void get_record_roundTrips() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        User alice = new User("alice", List.of("admin"));

        users.set("42", alice);

        assertEquals(Optional.of(alice), users.get("42", User.class));
    }

    @Test
    public void set_callerChangesObjectLater_storedValueUnchanged() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        List<String> roles = new ArrayList<>(List.of("admin"));
        users.set("roles", roles);

        roles.add("root");

        assertEquals(List.of("admin"), users.get("roles", List.class).orElseThrow());
    }

    @Test
    public void get_twice_returnsSeparateCopies() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        users.set("roles", List.of("admin"));

        List<?> first = users.get("roles", List.class).orElseThrow();
        List<?> second = users.get("roles", List.class).orElseThrow();

        assertNotSame(first, second);
    }

    @Test
    public void get_otherShape_throwsIllegalState() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        users.set("42", "alice");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> users.get("42", User.class));

        assertTrue(e.getMessage(), e.getMessage().contains("cache 'users' key '42'"));
        assertTrue(e.getMessage(), e.getMessage().contains(User.class.getName()));
    }

    @Test
    public void set_withTtl_entryGoneAfterTtl() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());

        users.set("k", "v", SHORT_TTL);

        assertTrue(users.get("k", String.class).isPresent());
        await().atMost(Duration.ofSeconds(5)).until(() -> users.get("k", String.class).isEmpty());
    }

    @Test
    public void set_withoutTtl_usesDefaultTtlOfCache() {
        Cache users = manager.createCache(CacheOptions.builder("users").ttl(SHORT_TTL).build());
        users.set("explicit", "v", Duration.ofMinutes(10));

        users.set("k", "v");

        await().atMost(Duration.ofSeconds(5)).until(() -> users.get("k", String.class).isEmpty());
        assertTrue(users.get("explicit", String.class).isPresent());
    }

    @Test
    public void reset_sharedStore_clearsOnlyThisCache() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        Cache orders = manager.createCache(CacheOptions.builder("orders").build());
        users.set("k", "u");
        orders.set("k", "o");
        orders.set("k2", "o2");

        users.reset();

        assertEquals(Set.of(), users.keys());
        assertEquals(Set.of("k", "k2"), orders.keys());
        assertEquals(Optional.of("o"), orders.get("k", String.class));
    }

    @Test
    public void del_someAbsent_countsPresent() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        users.set("a", 1);
        users.set("b", 2);

        long deleted = users.del("a", "missing");

        assertEquals(1, deleted);
        assertEquals(Set.of("b"), users.keys());
    }

    @Test
    public void mget_someAbsent_returnsPresentInOrder() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("a", 1);
        entries.put("b", 2);
        entries.put("c", 3);
        users.mset(entries);

        Map<String, Integer> found = users.mget(List.of("c", "missing", "a", "b"), Integer.class);

        assertEquals(List.of("c", "a", "b"), new ArrayList<>(found.keySet()));
        assertEquals(Integer.valueOf(3), found.get("c"));
    }

    @Test
    public void mset_withTtl_entriesExpire() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());

        users.mset(Map.of("a", 1, "b", 2), SHORT_TTL);

        await().atMost(Duration.ofSeconds(5)).until(() -> users.keys().isEmpty());
    }

    @Test
    public void mdel_someAbsent_countsPresent() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        users.mset(Map.of("a", 1, "b", 2, "c", 3));

        long deleted = users.mdel(List.of("a", "c", "missing"));

        assertEquals(2, deleted);
        assertEquals(Set.of("b"), users.keys());
    }

    @Test
    public void keys_withPrefix_returnsKeysWithoutPrefix() {
        Cache users = manager.createCache(CacheOptions.builder("users").prefix("u:v1").build());
        users.set("a", 1);
        users.set("b/c", 2);

        Set<String> keys = users.keys();

        assertEquals(Set.of("a", "b/c"), keys);
    }

    @Test
    public void counters_afterOperations_countEachKind() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        users.set("a", 1);
        users.mset(Map.of("b", 2, "c", 3));
        users.get("a", Integer.class);
        users.get("missing", Integer.class);
        users.mget(List.of("b", "missing"), Integer.class);
        users.del("a", "missing");
        users.wrap("d", Integer.class, () -> 4);
        users.wrap("d", Integer.class, () -> 5);

        CacheCounters counters = ((RegionCache) users).counters();

        assertEquals(3, counters.hits());
        assertEquals(3, counters.misses());
        assertEquals(4, counters.sets());
        assertEquals(1, counters.deletes());
        assertEquals(1, counters.loads());
        assertEquals(0, counters.loadFailures());
        assertEquals(3, ((RegionCache) users).entryCount());
    }

    @Test
    public void caches_created_listedForShell() {
        manager.createCache(CacheOptions.builder("users").build());
        manager.createCache(CacheOptions.builder("orders").build());

        List<String> names = service.caches().stream().map(RegionCache::name).sorted().toList();

        assertEquals(List.of("orders", "users"), names);
    }

    @Test
    public void set_storeMissing_throwsIllegalState() {
        Cache users = manager.createCache(CacheOptions.builder("users").build());
        service.removeStore(store, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> users.set("k", "v"));

        assertTrue(e.getMessage(), e.getMessage().contains("'memory'"));
        assertFalse(e.getMessage(), e.getMessage().contains("[memory]"));
    }

    static NodeSettings settings(String cacheStore) {
        return new NodeSettings("shop", "node-1", Path.of("target"), cacheStore, "memory", "memory", "memory",
                Duration.ofSeconds(10));
    }
}
