package io.cohort.core.memory;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cohort.api.spi.CacheRegion;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class MemoryCacheStoreTest {

    private static final Duration SHORT_TTL = Duration.ofMillis(100);

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    private final MemoryCacheStore store = new MemoryCacheStore();

    @Test
    public void openRegion_sameName_returnsOpenRegion() {
        CacheRegion first = store.openRegion("app:users", 0);

        CacheRegion second = store.openRegion("app:users", 0);

        assertSame(first, second);
    }

    @Test
    public void openRegion_negativeMaxEntries_throws() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.openRegion("app:users", -1));

        assertTrue(e.getMessage(), e.getMessage().contains("-1"));
    }

    @Test
    public void put_thenGet_returnsValue() {
        CacheRegion region = store.openRegion("app:users", 0);

        region.put("k", bytes("v"), null);

        assertArrayEquals(bytes("v"), region.get("k"));
    }

    @Test
    public void put_withTtl_entryGoneAfterTtl() {
        CacheRegion region = store.openRegion("app:users", 0);

        region.put("k", bytes("v"), SHORT_TTL);

        assertNotNull(region.get("k"));
        await().atMost(Duration.ofSeconds(5)).until(() -> region.get("k") == null);
        await().atMost(Duration.ofSeconds(5)).until(() -> region.size() == 0);
    }

    @Test
    public void put_withoutTtl_outlivesEntryWithTtl() {
        CacheRegion region = store.openRegion("app:users", 0);
        region.put("kept", bytes("v"), null);
        region.put("marker", bytes("v"), SHORT_TTL);

        await().atMost(Duration.ofSeconds(5)).until(() -> region.get("marker") == null);

        assertNotNull(region.get("kept"));
    }

    @Test
    public void put_overwriteWithoutTtl_removesExpiry() {
        CacheRegion region = store.openRegion("app:users", 0);
        region.put("k", bytes("first"), SHORT_TTL);
        region.put("k", bytes("second"), null);
        region.put("marker", bytes("v"), SHORT_TTL);

        await().atMost(Duration.ofSeconds(5)).until(() -> region.get("marker") == null);

        assertArrayEquals(bytes("second"), region.get("k"));
    }

    @Test
    public void keys_expiredEntry_notListed() {
        CacheRegion region = store.openRegion("app:users", 0);
        region.put("kept", bytes("v"), null);
        region.put("expiring", bytes("v"), SHORT_TTL);

        await().atMost(Duration.ofSeconds(5)).until(() -> region.get("expiring") == null);

        assertEquals(Set.of("kept"), region.keys());
    }

    @Test
    public void remove_expiredEntry_returnsFalse() {
        CacheRegion region = store.openRegion("app:users", 0);
        region.put("k", bytes("v"), SHORT_TTL);
        await().atMost(Duration.ofSeconds(5)).until(() -> region.get("k") == null);

        boolean removed = region.remove("k");

        assertFalse(removed);
    }

    @Test
    public void removeAll_someAbsent_countsPresent() {
        CacheRegion region = store.openRegion("app:users", 0);
        region.putAll(Map.of("a", bytes("1"), "b", bytes("2")), null);

        long removed = region.removeAll(List.of("a", "b", "c"));

        assertEquals(2, removed);
        assertEquals(0, region.size());
    }

    @Test
    public void getAll_someAbsent_returnsPresentOnly() {
        CacheRegion region = store.openRegion("app:users", 0);
        region.putAll(Map.of("a", bytes("1"), "b", bytes("2")), null);

        Map<String, byte[]> found = region.getAll(List.of("a", "missing"));

        assertEquals(Set.of("a"), found.keySet());
        assertArrayEquals(bytes("1"), found.get("a"));
    }

    @Test
    public void putAll_withTtl_allEntriesExpire() {
        CacheRegion region = store.openRegion("app:users", 0);

        region.putAll(Map.of("a", bytes("1"), "b", bytes("2")), SHORT_TTL);

        await().atMost(Duration.ofSeconds(5)).until(() -> region.keys().isEmpty());
        assertNull(region.get("a"));
    }

    @Test
    public void put_beyondMaxEntries_evictsToLimit() {
        CacheRegion region = store.openRegion("app:bounded", 2);

        for (int i = 0; i < 10; i++) {
            region.put("k" + i, bytes("v"), null);
        }

        assertEquals(2, region.size());
    }

    @Test
    public void clear_twoRegions_clearsOnlyOne() {
        CacheRegion users = store.openRegion("app:users", 0);
        CacheRegion orders = store.openRegion("app:orders", 0);
        users.put("k", bytes("v"), null);
        orders.put("k", bytes("v"), null);

        users.clear();

        assertNull(users.get("k"));
        assertNotNull(orders.get("k"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
