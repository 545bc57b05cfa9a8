package io.cohort.shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cohort.api.admin.CacheView;
import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.ClusterResult;
import io.cohort.api.admin.NodeAdmin;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code cache:} Gogo commands: list the caches of every node, and read, write, delete and reset entries through
 * this node. Values are JSON; in the Gogo console, quote them in single quotes ({@code '{"id":1}'},
 * {@code '"text"'}).
 */
@Component(service = CacheCommands.class, property = {
    "osgi.command.scope=cache",
    "osgi.command.function=list",
    "osgi.command.function=get",
    "osgi.command.function=set",
    "osgi.command.function=del",
    "osgi.command.function=reset"
})
public class CacheCommands {

    private static final String JSON_OPTION = "print JSON instead of text";

    /**
     * The maximum ttl of a cache entry, 3650 days. The node checks the same limit. The shell checks a typed ttl
     * first, so that the error repeats the text as typed.
     */
    static final Duration MAX_TTL = Duration.ofDays(3650);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile NodeAdmin admin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterAdmin cluster;

    /** Creates the component; DS sets the references. */
    public CacheCommands() {
    }

    /** Creates the commands on the given services, for tests; {@code cluster} may be null. */
    CacheCommands(NodeAdmin admin, ClusterAdmin cluster) {
        this.admin = admin;
        this.cluster = cluster;
    }

    @Descriptor("Lists the caches of every node: node, cache, store, entries now, default ttl, hits and misses "
            + "counted on that node since it started. Waits up to 2 s for the other nodes and names those that do "
            + "not respond")
    public String list(
            @Descriptor(JSON_OPTION)
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        ClusterResult<CacheView> result = AdminServices.gather(cluster, admin,
                nodes -> nodes.caches(ClusterAdmin.DEFAULT_TIMEOUT), NodeAdmin::caches);
        return json ? AdminReport.cachesJson(result) : AdminReport.cachesText(result);
    }

    @Descriptor("Prints the value of a key as JSON, without counting a hit or a miss. Fails when the cache was not "
            + "created on this node or the key is absent")
    public String get(
            @Descriptor(JSON_OPTION + ": an object with cache, key and value")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("cache name") String cache,
            @Descriptor("key in the cache") String key) {
        NodeAdmin node = AdminServices.require(admin);
        String value = AdminServices.call(() -> node.cacheValue(cache, key)).orElseThrow(() ->
                new IllegalArgumentException("key '" + key + "' not found in cache '" + cache
                        + "' (absent or expired)"));
        if (!json) {
            return AdminReport.prettyJson(value);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("cache", cache);
        fields.put("key", key);
        fields.put("value", AdminReport.payload(value));
        return AdminReport.objectJson(fields);
    }

    @Descriptor("Stores a JSON value under a key with the cache's default ttl; plugins read it as their own type")
    public String set(
            @Descriptor(JSON_OPTION)
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("cache name") String cache,
            @Descriptor("key in the cache") String key,
            @Descriptor("the value as one JSON value: '{\"id\":1}', '\"text\"', 42, true") String value) {
        return store(json, cache, key, value, null);
    }

    @Descriptor("Stores a JSON value under a key for the given ttl; plugins read it as their own type")
    public String set(
            @Descriptor(JSON_OPTION)
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("cache name") String cache,
            @Descriptor("key in the cache") String key,
            @Descriptor("the value as one JSON value: '{\"id\":1}', '\"text\"', 42, true") String value,
            @Descriptor("how long the entry lives, 1ms to 3650d: " + Durations.FORMS) String ttl) {
        return store(json, cache, key, value, Durations.parse("ttl", ttl, MAX_TTL));
    }

    @Descriptor("Deletes one or more keys and prints which were present")
    public String del(
            @Descriptor(JSON_OPTION)
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("cache name") String cache,
            @Descriptor("key to delete") String key,
            @Descriptor("more keys to delete") String... moreKeys) {
        List<String> requested = new ArrayList<>(moreKeys.length + 1);
        requested.add(key);
        requested.addAll(Arrays.asList(moreKeys));
        NodeAdmin node = AdminServices.require(admin);
        List<String> deleted = AdminServices.call(() -> node.deleteCacheKeys(cache, requested));
        List<String> notFound = new ArrayList<>(requested.stream().distinct().toList());
        notFound.removeAll(deleted);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("cache", cache);
            fields.put("deleted", deleted);
            fields.put("notFound", notFound);
            return AdminReport.objectJson(fields);
        }
        String text = "Deleted " + deleted.size() + " of " + (deleted.size() + notFound.size()) + " keys from cache '"
                + cache + "'";
        return notFound.isEmpty() ? text + ".\n" : text + "; not found: " + String.join(", ", notFound) + ".\n";
    }

    @Descriptor("Deletes every entry of a cache, on every node that shares its store")
    public String reset(
            @Descriptor(JSON_OPTION)
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("cache name") String cache) {
        NodeAdmin node = AdminServices.require(admin);
        AdminServices.call(() -> {
            node.resetCache(cache);
            return null;
        });
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("cache", cache);
            fields.put("reset", true);
            return AdminReport.objectJson(fields);
        }
        return "Deleted every entry of cache '" + cache + "'.\n";
    }

    private String store(boolean json, String cache, String key, String value, Duration ttl) {
        NodeAdmin node = AdminServices.require(admin);
        AdminServices.call(() -> {
            node.setCacheValue(cache, key, value, ttl);
            return null;
        });
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("cache", cache);
            fields.put("key", key);
            fields.put("ttlMillis", ttl == null ? null : ttl.toMillis());
            return AdminReport.objectJson(fields);
        }
        String expiry = ttl == null ? "the cache's default ttl" : "ttl " + Durations.format(ttl);
        return "Stored key '" + key + "' in cache '" + cache + "' with " + expiry + ".\n";
    }
}
