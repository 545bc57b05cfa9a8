package io.cohort.core.admin;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.cohort.api.admin.ClusterAdmin;
import io.cohort.api.admin.NodeAdmin;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.cache.CacheService;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.lock.LockService;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.pubsub.NodePubSubManager;
import io.cohort.core.pubsub.TopicRouter;
import io.cohort.core.queue.EventQueueManager;
import io.cohort.core.sync.NodeSyncManager;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this node's {@link NodeAdmin} and {@link ClusterAdmin} services.
 *
 * <p>The component registers both services itself instead of through DS, because it updates the node's totals in
 * the service properties of {@link NodeAdmin}: every {@link #TOTALS_REFRESH} the thread {@code cohort-admin-<node>-1}
 * sums the managers' counters and sets the properties when a total changed. The same thread computes this node's
 * rows for the cluster queries of other nodes. It is immediate, so that the totals are published and other nodes
 * get responses while no shell runs.
 */
@Component(service = {}, immediate = true)
public final class AdminComponent {

    /** How often the totals in the service properties are refreshed. */
    static final Duration TOTALS_REFRESH = Duration.ofSeconds(1);

    /** How long the stop waits for the executor's current task before it sends BYE. */
    private static final Duration EXECUTOR_STOP = Duration.ofSeconds(2);

    /** A failing refresh is logged the first time, then once every this many times. */
    private static final long LOG_EVERY = 60;

    private static final Logger LOG = LoggerFactory.getLogger(AdminComponent.class);

    private final NodeSettings settings;
    private final LocalNodeAdmin local;
    private final TopicRouter router;
    private final ClusterAdminService cluster;
    private final ScheduledExecutorService executor;
    private final ServiceRegistration<NodeAdmin> nodeRegistration;
    private final ServiceRegistration<ClusterAdmin> clusterRegistration;
    private Map<String, Long> publishedTotals;
    private long refreshFailures;

    @Activate
    public AdminComponent(BundleContext context, @Reference(name = "settings") NodeSettings settings,
            @Reference(name = "caches") CacheService caches, @Reference(name = "pubSub") NodePubSubManager pubSub,
            @Reference(name = "queue") EventQueueManager queue, @Reference(name = "locks") LockService locks,
            @Reference(name = "sync") NodeSyncManager sync) {
        this.settings = settings;
        this.local = new LocalNodeAdmin(settings, caches, pubSub, queue, locks, sync);
        this.router = new TopicRouter("cluster admin", settings, false);
        String threadName = "cohort-admin-" + settings.nodeId() + "-1";
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        this.cluster = new ClusterAdminService(settings, local, router, executor, new JsonCodec());

        publishedTotals = local.totals();
        nodeRegistration = context.registerService(NodeAdmin.class, local, properties(publishedTotals));
        clusterRegistration = context.registerService(ClusterAdmin.class, cluster, properties(Map.of()));
        executor.scheduleWithFixedDelay(this::refreshTotals, TOTALS_REFRESH.toMillis(), TOTALS_REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("Admin services started on node {}", settings.nodeId());
    }

    /** Adds a pub/sub adapter; the configured one starts the cluster admin, or announces this node again. */
    @Reference(name = "adapter", service = PubSubAdapter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeAdapter")
    void addAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterAdded(adapter, properties);
        if (settings.pubSubAdapter().equals(String.valueOf(properties.get(Adapters.NAME_PROPERTY)))) {
            cluster.start();
        }
    }

    void removeAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        router.adapterRemoved(adapter, properties);
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
        awaitExecutor();
        cluster.stop();
        router.close();
        unregister(clusterRegistration);
        unregister(nodeRegistration);
        LOG.info("Admin services stopped on node {}", settings.nodeId());
    }

    /** Waits for the executor's current task, such as a {@code HELLO} being sent, so that no message follows BYE. */
    private void awaitExecutor() {
        try {
            if (!executor.awaitTermination(EXECUTOR_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Admin executor of node {} still runs a task {} ms after the stop began; sending BYE anyway",
                        settings.nodeId(), EXECUTOR_STOP.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Node {} was interrupted while its admin executor stopped; sending BYE now", settings.nodeId());
        }
    }

    private void refreshTotals() {
        try {
            Map<String, Long> totals = local.totals();
            if (!totals.equals(publishedTotals)) {
                nodeRegistration.setProperties(properties(totals));
                publishedTotals = totals;
            }
            refreshFailures = 0;
        } catch (IllegalStateException e) {
            LOG.debug("Totals of node {} not refreshed: the admin service is unregistered", settings.nodeId(), e);
        } catch (RuntimeException e) {
            refreshFailures++;
            if (refreshFailures == 1 || refreshFailures % LOG_EVERY == 0) {
                LOG.warn("Refreshing the totals of node {} failed ({} times in a row); the service properties keep "
                        + "the last totals", settings.nodeId(), refreshFailures, e);
            }
        }
    }

    private Dictionary<String, Object> properties(Map<String, Long> totals) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(NodeAdmin.NODE_ID_PROPERTY, settings.nodeId());
        totals.forEach((name, value) -> properties.put(NodeAdmin.TOTALS_PREFIX + name, value));
        return properties;
    }

    private void unregister(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            LOG.debug("Admin service of node {} was already unregistered", settings.nodeId(), e);
        }
    }
}
