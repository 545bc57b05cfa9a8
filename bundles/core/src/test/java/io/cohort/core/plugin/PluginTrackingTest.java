package io.cohort.core.plugin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import io.cohort.api.node.PluginInfo;
import io.cohort.api.plugin.Plugin;

import org.junit.After;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/** The runtime's service tracking, fed the way a service tracker feeds it. */
public class PluginTrackingTest {

    private final RecordingHost host = new RecordingHost();
    private final PluginScheduler scheduler = new PluginScheduler(host, Duration.ofSeconds(10), Duration.ofSeconds(5));
    private final PluginRuntime.PluginTracker tracker = new PluginRuntime(scheduler).new PluginTracker();

    @After
    public void closeScheduler() {
        scheduler.close(Duration.ofSeconds(10));
    }

    @Test(timeout = 10_000)
    public void addingService_alreadyUnregistered_listsNoPlugin() {
        ServiceReference<Plugin> unregistered = new UnregisteredReference("late", 42);

        PluginRuntime.TrackedPlugin tracked = tracker.addingService(unregistered);
        if (tracked != null) {
            // A service tracker calls removedService for a tracked service that was unregistered while it was added.
            tracker.removedService(unregistered, tracked);
        }

        List<PluginInfo> plugins = scheduler.plugins();
        assertEquals("plugins listed after the service vanished: " + plugins, List.of(), plugins);
        assertNull("tracked object of an unregistered service", tracked);
    }

    /**
     * A reference to a plugin service that has been unregistered. The framework returns {@code null} as the bundle of
     * such a reference, and keeps its properties.
     */
    private static final class UnregisteredReference implements ServiceReference<Plugin> {

        private final Hashtable<String, Object> properties = new Hashtable<>();

        UnregisteredReference(String pluginName, long serviceId) {
            properties.put(Plugin.NAME_PROPERTY, pluginName);
            properties.put(Constants.SERVICE_ID, serviceId);
            properties.put(Constants.OBJECTCLASS, new String[] {Plugin.class.getName()});
        }

        @Override
        public Object getProperty(String key) {
            return properties.get(key);
        }

        @Override
        public String[] getPropertyKeys() {
            return properties.keySet().toArray(new String[0]);
        }

        @Override
        public Bundle getBundle() {
            return null;
        }

        @Override
        public Bundle[] getUsingBundles() {
            return null;
        }

        @Override
        public boolean isAssignableTo(Bundle bundle, String className) {
            return false;
        }

        @Override
        public int compareTo(Object reference) {
            return 0;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return new Hashtable<>(properties);
        }

        @Override
        public <A> A adapt(Class<A> type) {
            return null;
        }
    }
}
