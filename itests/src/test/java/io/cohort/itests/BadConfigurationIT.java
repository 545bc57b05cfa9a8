package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.cohort.api.cache.Cache;
import io.cohort.api.cache.CacheManager;
import io.cohort.api.cache.CacheOptions;
import io.cohort.api.lock.LockManager;
import io.cohort.api.node.CohortNode;
import io.cohort.api.node.ConfigurationError;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.pubsub.Subscription;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.sync.SyncMessageManager;
import io.cohort.itests.support.CohortOptions;
import io.cohort.itests.support.CohortTestSupport;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;

/**
 * An invalid node configuration stops the managers with an error that names the value, and the framework and the
 * shell keep running. Fixing the configuration brings the managers back without losing cached entries or queued
 * tasks.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BadConfigurationIT extends CohortTestSupport {

    private static final String BAD_APP_NAME = "Bad Name!";
    private static final String UNKNOWN_STORE = "nosuch";
    private static final CacheOptions KEPT_CACHE = CacheOptions.builder("it-config-kept").build();
    private static final String TASKS_CHANNEL = "it.config.tasks";

    @Configuration
    public Option[] config() {
        return CohortOptions.node(BadConfigurationIT.class);
    }

    @After
    public void restoreDefaults() throws Exception {
        resetNodeConfig();
    }

    /**
     * Waits until the node component has rejected its configuration, which leaves it active with a
     * {@link ConfigurationError} registered in place of the node settings, and returns that error.
     */
    private ConfigurationError awaitNodeRejected() {
        ConfigurationError[] rejected = new ConfigurationError[1];
        eventually(() -> {
            assertEquals("node settings while app.name is invalid", -1, nodeSettingsServiceId());
            Optional<ConfigurationError> error = currentService(ConfigurationError.class);
            assertTrue("no configuration error registered", error.isPresent());
            rejected[0] = error.get();
        });
        return rejected[0];
    }

    @Test(timeout = 60_000)
    public void invalidAppName_applied_errorNamesValue() throws Exception {
        node();

        writeNodeConfig(Map.of("app.name", BAD_APP_NAME));

        ConfigurationError error = awaitNodeRejected();
        assertEquals("pid of the error", "io.cohort.core", error.pid());
        assertTrue("error names the value: " + error.message(), error.message().contains(BAD_APP_NAME));
        ComponentConfigurationDTO configuration = nodeComponentConfiguration();
        assertEquals("node component state, so that SCR logs no stack trace",
                stateName(ComponentConfigurationDTO.ACTIVE), stateName(configuration.state));
        assertNull("failure of the node component", configuration.failure);
    }

    @Test(timeout = 60_000)
    public void invalidAppName_applied_withdrawsManagers() throws Exception {
        node();

        writeNodeConfig(Map.of("app.name", BAD_APP_NAME));
        awaitNodeRejected();

        for (Class<?> type : List.of(CohortNode.class, CacheManager.class, SyncMessageManager.class,
                PubSubManager.class, EventQueue.class, LockManager.class)) {
            eventually(() -> assertEquals(type.getSimpleName() + " while app.name is invalid", Optional.empty(),
                    currentService(type)));
        }
    }

    @Test(timeout = 60_000)
    public void invalidAppName_applied_shellStillRuns() throws Exception {
        node();

        writeNodeConfig(Map.of("app.name", BAD_APP_NAME));
        awaitNodeRejected();

        assertEquals("framework state", bundleStateName(Bundle.ACTIVE),
                bundleStateName(context.getBundle(0).getState()));
        assertEquals("core bundle state", bundleStateName(Bundle.ACTIVE),
                bundleStateName(bundle(CORE_BSN).getState()));
        assertEquals("shell bundle state", bundleStateName(Bundle.ACTIVE),
                bundleStateName(bundle(SHELL_BSN).getState()));
        String bundles = execute("lb -s");
        assertTrue("lb output names the core bundle: " + bundles, bundles.contains(CORE_BSN));
    }

    @Test(timeout = 60_000)
    public void invalidAppName_applied_infoNamesSetting() throws Exception {
        node();

        writeNodeConfig(Map.of("app.name", BAD_APP_NAME));
        awaitNodeRejected();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> execute("cohort:info"));
        assertEquals("Cohort core is not running because a configuration is invalid: etc/io.cohort.core.cfg "
                + "(io.cohort.core): app.name '" + BAD_APP_NAME + "' is invalid; expected 1 to 63 characters from "
                + "a-z 0-9 -, starting with a letter or digit", e.getMessage());
    }

    @Test(timeout = 60_000)
    public void invalidAppName_applied_listCommandsNameSetting() throws Exception {
        node();

        writeNodeConfig(Map.of("app.name", BAD_APP_NAME));
        awaitNodeRejected();

        for (String command : List.of("cache:list", "queue:list", "lock:list", "pubsub:channels")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> execute(command));
            assertTrue(command + ": " + e.getMessage(), e.getMessage().startsWith("Cohort core is not running "
                    + "because a configuration is invalid: etc/io.cohort.core.cfg (io.cohort.core): app.name '"
                    + BAD_APP_NAME + "' is invalid"));
        }
    }

    @Test(timeout = 60_000)
    public void upperCaseAllConsumed_applied_rejected() throws Exception {
        node();

        writeNodeConfig(Map.of("queue.consume", "ALL"));

        ConfigurationError error = awaitNodeRejected();
        assertEquals("queue.consume 'ALL' is invalid: 'ALL' reads as the keyword all, which counts only alone and in "
                + "lower case; expected all (every channel), none, or a comma-separated list of channel names",
                error.message());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> execute("cohort:info"));
        assertTrue(e.getMessage(), e.getMessage().contains("etc/io.cohort.core.cfg (io.cohort.core): "
                + "queue.consume 'ALL' is invalid"));
    }

    @Test(timeout = 60_000)
    public void invalidAppName_fixed_keepsCachedEntries() throws Exception {
        service(CacheManager.class).createCache(KEPT_CACHE).set("kept", "stored before the bad configuration");
        writeNodeConfig(Map.of("app.name", BAD_APP_NAME));
        awaitNodeRejected();

        resetNodeConfig();

        Cache cache = service(CacheManager.class).createCache(KEPT_CACHE);
        assertEquals(Optional.of("stored before the bad configuration"), cache.get("kept", String.class));
    }

    @Test(timeout = 60_000)
    public void invalidAppName_fixed_keepsQueuedTasks() throws Exception {
        String taskId = service(EventQueue.class).publish(TASKS_CHANNEL, "queued before the bad configuration");
        writeNodeConfig(Map.of("app.name", BAD_APP_NAME));
        awaitNodeRejected();

        resetNodeConfig();

        BlockingQueue<String> processed = new LinkedBlockingQueue<>();
        Subscription consumer = service(EventQueue.class).subscribe(TASKS_CHANNEL, String.class,
                (payload, task) -> processed.add(task.taskId() + ": " + payload));
        try {
            assertEquals(taskId + ": queued before the bad configuration", processed.poll(30, TimeUnit.SECONDS));
        } finally {
            consumer.close();
        }
    }

    @Test(timeout = 60_000)
    public void unknownStore_applied_shownNotRegistered() throws Exception {
        updateNodeConfig(Map.of("cache.store", UNKNOWN_STORE));

        String cacheAdapter = node().adapters().get("cache");

        assertEquals("cache adapter", UNKNOWN_STORE + " (not registered)", cacheAdapter);
    }

    /**
     * The unregistered store comes from the node configuration, not from the caller, so the core raises
     * IllegalStateException here; a store named in the options gets IllegalArgumentException (next test).
     */
    @Test(timeout = 60_000)
    public void unknownStore_defaultStoreCache_fails() throws Exception {
        updateNodeConfig(Map.of("cache.store", UNKNOWN_STORE));
        CacheManager caches = service(CacheManager.class);

        try {
            caches.createCache(CacheOptions.builder("it-config-default-store").build());
            fail("createCache on the unregistered default store '" + UNKNOWN_STORE + "' returned a cache");
        } catch (IllegalStateException e) {
            assertTrue("message names the store: " + e.getMessage(), e.getMessage().contains(UNKNOWN_STORE));
            assertTrue("message lists the registered stores: " + e.getMessage(),
                    e.getMessage().contains(CacheOptions.MEMORY_STORE));
        }
    }

    @Test(timeout = 60_000)
    public void unknownStore_namedInOptions_rejected() throws Exception {
        CacheManager caches = service(CacheManager.class);

        try {
            caches.createCache(CacheOptions.builder("it-config-explicit-store").store(UNKNOWN_STORE).build());
            fail("createCache on the unregistered store '" + UNKNOWN_STORE + "' returned a cache");
        } catch (IllegalArgumentException e) {
            assertTrue("message names the store: " + e.getMessage(), e.getMessage().contains(UNKNOWN_STORE));
            assertTrue("message lists the registered stores: " + e.getMessage(),
                    e.getMessage().contains(CacheOptions.MEMORY_STORE));
        }
    }

    @Test(timeout = 60_000)
    public void unknownStore_applied_memoryStoreWorks() throws Exception {
        updateNodeConfig(Map.of("cache.store", UNKNOWN_STORE));

        Cache cache = service(CacheManager.class).createCache(
                CacheOptions.builder("it-config-memory").store(CacheOptions.MEMORY_STORE).build());
        cache.set("key", 42);

        assertEquals(Optional.of(42), cache.get("key", Integer.class));
    }

    @Test(timeout = 60_000)
    public void unknownStore_applied_infoNamesStore() throws Exception {
        updateNodeConfig(Map.of("cache.store", UNKNOWN_STORE));

        String info = execute("cohort:info");

        assertTrue("cohort:info names the unregistered store: " + info, info.contains(UNKNOWN_STORE));
        assertFalse("cohort:info output is empty", info.isBlank());
    }

    @Test(timeout = 60_000)
    public void unknownStore_applied_pluginsNameAwaitedStore() throws Exception {
        updateNodeConfig(Map.of("cache.store", UNKNOWN_STORE));

        eventually(() -> assertEquals("awaited adapters", Map.of("cache.store", UNKNOWN_STORE),
                node().awaitedAdapters()));
        String plugins = execute("cohort:plugins");

        assertTrue("cohort:plugins names the setting: " + plugins, plugins.contains("cache.store"));
        assertTrue("cohort:plugins names the value: " + plugins, plugins.contains(UNKNOWN_STORE));
        assertTrue("cohort:plugins names the registered store: " + plugins,
                plugins.contains(CacheOptions.MEMORY_STORE));
    }
}
