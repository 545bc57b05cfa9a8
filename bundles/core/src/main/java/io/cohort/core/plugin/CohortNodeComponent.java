package io.cohort.core.plugin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cohort.api.node.CohortNode;
import io.cohort.api.node.PluginInfo;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.CacheStoreAdapter;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.api.spi.LockAdapter;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.node.ResourceCounter;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides {@link CohortNode}: the node's identity, adapters, plugins and live resources, for the shell and for
 * plugins that report on the node.
 *
 * <p>The plugin runtime is an optional reference, so the node can still be inspected when the runtime cannot start
 * (for example while no sync manager is registered). {@link #plugins()} is then empty. The component is immediate,
 * so {@link #startedAt()} is when core activated it, not when it was first used.
 */
@Component(service = CohortNode.class, immediate = true)
public class CohortNodeComponent implements CohortNode {

    /** Appended to an adapter name in {@link #adapters()} when no adapter service of that name is registered. */
    static final String NOT_REGISTERED = " (not registered)";

    private static final Logger LOG = LoggerFactory.getLogger(CohortNodeComponent.class);

    @Reference
    private NodeSettings settings;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PluginRuntime runtime;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private final List<ResourceCounter> counters = new CopyOnWriteArrayList<>();

    private BundleContext context;
    private Instant startedAt;

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        startedAt = Instant.now();
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    @Override
    public String appName() {
        return settings.appName();
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public Map<String, String> adapters() {
        Map<String, String> adapters = new LinkedHashMap<>();
        adapters.put("cache", describe(CacheStoreAdapter.class, settings.cacheStore()));
        adapters.put("pubsub", describe(PubSubAdapter.class, settings.pubSubAdapter()));
        adapters.put("queue", describe(EventQueueAdapter.class, settings.queueAdapter()));
        adapters.put("lock", describe(LockAdapter.class, settings.lockAdapter()));
        return adapters;
    }

    @Override
    public String queueRole() {
        return settings.queueRole().describe();
    }

    @Override
    public String lockMode() {
        String filter = "(" + Adapters.NAME_PROPERTY + "=" + settings.lockAdapter() + ")";
        try {
            for (ServiceReference<LockAdapter> reference : context.getServiceReferences(LockAdapter.class, filter)) {
                LockAdapter adapter = context.getService(reference);
                if (adapter != null) {
                    try {
                        return adapter.mode();
                    } finally {
                        context.ungetService(reference);
                    }
                }
            }
            return "";
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("adapter name '" + settings.lockAdapter() + "' makes an invalid filter "
                    + filter, e);
        }
    }

    @Override
    public List<PluginInfo> plugins() {
        PluginRuntime current = runtime;
        return current == null ? List.of() : current.plugins();
    }

    @Override
    public Map<String, String> awaitedAdapters() {
        PluginRuntime current = runtime;
        return current == null ? Map.of() : current.awaitedAdapters();
    }

    @Override
    public Map<String, List<String>> registeredAdapters() {
        PluginRuntime current = runtime;
        return current == null ? Map.of() : current.registeredAdapters();
    }

    @Override
    public List<String> waitingPlugins() {
        PluginRuntime current = runtime;
        return current == null ? List.of() : current.waitingPlugins();
    }

    @Override
    public Map<String, Long> resources() {
        Map<String, Long> totals = new TreeMap<>();
        for (ResourceCounter counter : counters) {
            try {
                counter.resourceCounts().forEach((name, count) -> totals.merge(name, count, Long::sum));
            } catch (RuntimeException e) {
                LOG.warn("Resource counter {} failed on node {}; its counts are left out", counter,
                        settings.nodeId(), e);
            }
        }
        return totals;
    }

    /** Returns {@code name}, with {@value #NOT_REGISTERED} appended when no adapter of that type has that name. */
    private String describe(Class<?> adapterType, String name) {
        String filter = "(" + Adapters.NAME_PROPERTY + "=" + name + ")";
        try {
            boolean registered = !context.getServiceReferences(adapterType, filter).isEmpty();
            return registered ? name : name + NOT_REGISTERED;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("adapter name '" + name + "' makes an invalid filter " + filter, e);
        }
    }
}
