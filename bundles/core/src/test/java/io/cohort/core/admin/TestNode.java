package io.cohort.core.admin;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.cohort.api.lock.LockManager;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.EventQueueAdapter;
import io.cohort.core.cache.CacheService;
import io.cohort.core.json.JsonCodec;
import io.cohort.core.lock.BundleLockManager;
import io.cohort.core.lock.LockService;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.memory.MemoryCacheStore;
import io.cohort.core.memory.MemoryEventQueueAdapter;
import io.cohort.core.memory.MemoryLockAdapter;
import io.cohort.core.memory.MemoryPubSubAdapter;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.pubsub.BundlePubSubManager;
import io.cohort.core.pubsub.NodePubSubManager;
import io.cohort.core.pubsub.TopicRouter;
import io.cohort.core.queue.BundleEventQueue;
import io.cohort.core.queue.EventQueueManager;
import io.cohort.core.sync.NodeSyncManager;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;

/**
 * One simulated node for the admin tests: the real managers with in-process adapters, a {@link LocalNodeAdmin}, and
 * a {@link ClusterAdminService}. Nodes built on one {@link LocalBus} reach each other's pub/sub, sync and admin
 * topics, as nodes of one cluster do; each node keeps its own cache store, queue and locks.
 *
 * <p>Package-private bind and deactivate methods of the managers are called by reflection, as SCR calls them.
 */
final class TestNode implements AutoCloseable {

    /** The bundle that the node's plugin-facing views belong to. */
    static final String BUNDLE = "test.plugin [7]";

    static final String APP = "test";

    private static final Map<String, Object> MEMORY = Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY);

    final NodeSettings settings;
    final CacheService cacheService;
    final NodePubSubManager pubSub;
    final EventQueueManager queueManager;
    final LockService lockService;
    final NodeSyncManager sync;
    final PubSubManager pubSubView;
    final EventQueue queue;
    final LockManager locks;
    final LocalNodeAdmin admin;
    final TopicRouter router;
    final ClusterAdminService cluster;
    private final ExecutorService responder;

    TestNode(String nodeId, LocalBus bus) {
        this(nodeId, bus, new MemoryEventQueueAdapter());
    }

    /** Creates a node whose event queue stores its tasks in {@code queueAdapter}, registered as the memory adapter. */
    TestNode(String nodeId, LocalBus bus, EventQueueAdapter queueAdapter) {
        settings = new NodeSettings(APP, nodeId, Path.of("target"), Adapters.MEMORY, Adapters.MEMORY,
                Adapters.MEMORY, Adapters.MEMORY, Duration.ofSeconds(1));
        cacheService = new CacheService(settings);
        cacheService.addStore(new MemoryCacheStore(), MEMORY);
        pubSub = new NodePubSubManager(settings);
        invoke(pubSub, "addAdapter", new MemoryPubSubAdapter(bus), MEMORY);
        queueManager = new EventQueueManager(settings);
        invoke(queueManager, "addAdapter", queueAdapter, MEMORY);
        lockService = new LockService(settings);
        lockService.addAdapter(new MemoryLockAdapter(), MEMORY);
        sync = new NodeSyncManager(settings);
        sync.addAdapter(new MemoryPubSubAdapter(bus), MEMORY);
        pubSubView = new BundlePubSubManager(pubSub, componentContext());
        queue = new BundleEventQueue(queueManager, componentContext());
        locks = new BundleLockManager(lockService, componentContext());
        admin = new LocalNodeAdmin(settings, cacheService, pubSub, queueManager, lockService, sync);

        router = new TopicRouter("cluster admin", settings, false);
        router.adapterAdded(new MemoryPubSubAdapter(bus), MEMORY);
        responder = Executors.newSingleThreadExecutor(task -> new Thread(task, "cohort-admin-" + nodeId + "-1"));
        cluster = new ClusterAdminService(settings, admin, router, responder, new JsonCodec());
    }

    String nodeId() {
        return settings.nodeId();
    }

    /** Stops the node as if it were killed: it leaves the bus without announcing its stop. */
    void kill() {
        router.close();
        stopManagers();
    }

    /** Stops the node: it announces its stop, then leaves the bus. */
    @Override
    public void close() {
        cluster.stop();
        router.close();
        stopManagers();
    }

    private void stopManagers() {
        responder.shutdownNow();
        invoke(queue, "deactivate");
        ((BundlePubSubManager) pubSubView).deactivate();
        invoke(locks, "deactivate");
        invoke(queueManager, "deactivate");
        invoke(lockService, "deactivate");
        invoke(cacheService, "deactivate");
        pubSub.deactivate();
        sync.deactivate();
        try {
            responder.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns a component context whose using bundle is {@link #BUNDLE}, for the bundle-scoped views. */
    private static ComponentContext componentContext() {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(TestNode.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getSymbolicName" -> "test.plugin";
                    case "getBundleId" -> 7L;
                    case "toString" -> BUNDLE;
                    default -> throw new UnsupportedOperationException("Bundle." + method.getName());
                });
        return (ComponentContext) Proxy.newProxyInstance(TestNode.class.getClassLoader(),
                new Class<?>[] {ComponentContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getUsingBundle")) {
                        return bundle;
                    }
                    throw new UnsupportedOperationException("ComponentContext." + method.getName());
                });
    }

    /** Calls the declared method {@code name} that takes {@code args.length} arguments. */
    private static void invoke(Object target, String name, Object... args) {
        for (Method method : target.getClass().getDeclaredMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == args.length) {
                try {
                    method.setAccessible(true);
                    method.invoke(target, args);
                    return;
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot call " + name + " on " + target, e);
                } catch (InvocationTargetException e) {
                    throw new IllegalStateException(name + " of " + target + " failed", e.getCause());
                }
            }
        }
        throw new IllegalStateException(target.getClass().getName() + " has no method " + name + " with "
                + args.length + " arguments");
    }
}
