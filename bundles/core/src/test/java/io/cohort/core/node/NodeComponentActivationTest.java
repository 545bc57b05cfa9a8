package io.cohort.core.node;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.cohort.api.node.ConfigurationError;
import io.cohort.core.testing.FelixFramework;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;

/**
 * Activates the node component in a real Felix framework, with the system bundle's context in place of the core
 * bundle's: an invalid setting registers a {@link ConfigurationError} instead of the settings, and a valid one the
 * settings alone.
 */
public class NodeComponentActivationTest {

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Rule
    public final FelixFramework felix = new FelixFramework(NodeComponent.DATA_DIR_PROPERTY);

    private BundleContext context;

    @Before
    public void useSystemBundleContext() {
        context = felix.context();
    }

    @Test
    public void activate_emptyAppName_registersConfigurationErrorOnly() throws Exception {
        NodeComponent component = new NodeComponent();

        component.activate(context, config("", "10000"), Map.of("app.name", ""));

        assertEquals(List.of(), context.getServiceReferences(NodeSettings.class, null));
        assertEquals(List.of(new ConfigurationError(NodeComponent.PID, "app.name '' is invalid; expected 1 to 63 "
                + "characters from a-z 0-9 -, starting with a letter or digit")), configurationErrors());
        component.deactivate();
        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void activate_notNumber_namesSettingAndValue() throws Exception {
        NodeComponent component = new NodeComponent();

        component.activate(context, config("shop", "ten"), Map.of("queue.shutdown.timeout.ms", "ten"));

        assertEquals(List.of(new ConfigurationError(NodeComponent.PID, "queue.shutdown.timeout.ms 'ten' is not a "
                + "number; expected milliseconds from 0 to 600000")), configurationErrors());
        component.deactivate();
    }

    @Test
    public void activate_valid_registersSettingsOnly() throws Exception {
        NodeComponent component = new NodeComponent();

        component.activate(context, config("shop", "10000"), Map.of("app.name", "shop"));

        assertNotNull(context.getServiceReference(NodeSettings.class));
        assertEquals(List.of(), configurationErrors());
        component.deactivate();
    }

    @Test
    public void activate_upperCaseAll_registersErrorOnly() throws Exception {
        NodeComponent component = new NodeComponent();

        component.activate(context, config("shop", "10000", "ALL"), Map.of("queue.consume", "ALL"));

        assertEquals(List.of(), context.getServiceReferences(NodeSettings.class, null));
        assertEquals(List.of(new ConfigurationError(NodeComponent.PID, "queue.consume 'ALL' is invalid: 'ALL' reads "
                + "as the keyword all, which counts only alone and in lower case; expected all (every channel), none, "
                + "or a comma-separated list of channel names")), configurationErrors());
        component.deactivate();
        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void activate_emptyQueueConsume_consumesNoChannel() throws Exception {
        NodeComponent component = new NodeComponent();

        component.activate(context, config("shop", "10000", ""), Map.of("queue.consume", ""));

        NodeSettings settings = context.getService(context.getServiceReference(NodeSettings.class));
        assertEquals(QueueRole.NONE, settings.queueRole());
        assertEquals(List.of(), configurationErrors());
        component.deactivate();
    }

    @Test
    public void missingConfiguration_noPid_warnsOfMemoryAdapters() {
        String warning = NodeComponent.missingConfigurationWarning(Map.of("component.name", "node")).orElseThrow();

        assertTrue(warning, warning.startsWith(
                "Node configuration io.cohort.core not found (no etc/io.cohort.core.cfg, or one that FileInstall "
                + "could not apply"));
        assertTrue(warning, warning.contains("memory adapters"));
    }

    @Test
    public void missingConfiguration_withPid_noWarning() {
        assertEquals(Optional.empty(), NodeComponent.missingConfigurationWarning(Map.of(Constants.SERVICE_PID,
                NodeComponent.PID)));
    }

    @Test
    public void unsetAdapters_emptyFile_namesEachSetting() {
        String warning = NodeComponent.unsetAdaptersWarning(Map.of(Constants.SERVICE_PID, NodeComponent.PID))
                .orElseThrow();

        assertTrue(warning, warning.startsWith("Node configuration io.cohort.core does not set cache.store, "
                + "pubsub.adapter, queue.adapter, lock.adapter; those managers use the memory adapter"));
    }

    @Test
    public void unsetAdapters_oneMissing_namesOnlyIt() {
        String warning = NodeComponent.unsetAdaptersWarning(Map.of(Constants.SERVICE_PID, NodeComponent.PID,
                "cache.store", "hazelcast", "pubsub.adapter", "hazelcast", "queue.adapter", "memory")).orElseThrow();

        assertTrue(warning, warning.startsWith("Node configuration io.cohort.core does not set lock.adapter;"));
    }

    @Test
    public void unsetAdapters_allSet_noWarning() {
        assertEquals(Optional.empty(), NodeComponent.unsetAdaptersWarning(Map.of(Constants.SERVICE_PID,
                NodeComponent.PID, "cache.store", "memory", "pubsub.adapter", "memory", "queue.adapter", "memory",
                "lock.adapter", "memory")));
    }

    @Test
    public void unsetAdapters_noConfiguration_leftToMissingWarning() {
        assertEquals(Optional.empty(), NodeComponent.unsetAdaptersWarning(Map.of("component.name", "node")));
    }

    private List<ConfigurationError> configurationErrors() throws InvalidSyntaxException {
        return context.getServiceReferences(ConfigurationError.class, null).stream()
                .map(context::getService)
                .collect(Collectors.toList());
    }

    /** Returns the node configuration with these two values and every other setting at its default. */
    private static NodeComponent.Config config(String appName, String shutdownTimeoutMillis) {
        return config(appName, shutdownTimeoutMillis, "all");
    }

    /** Returns the node configuration with these three values and every other setting at its default. */
    private static NodeComponent.Config config(String appName, String shutdownTimeoutMillis, String queueConsume) {
        return new NodeComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return NodeComponent.Config.class;
            }

            @Override
            public String app_name() {
                return appName;
            }

            @Override
            public String node_id() {
                return "node-1";
            }

            @Override
            public String cache_store() {
                return "memory";
            }

            @Override
            public String pubsub_adapter() {
                return "memory";
            }

            @Override
            public String queue_adapter() {
                return "memory";
            }

            @Override
            public String lock_adapter() {
                return "memory";
            }

            @Override
            public String queue_shutdown_timeout_ms() {
                return shutdownTimeoutMillis;
            }

            @Override
            public String queue_consume() {
                return queueConsume;
            }

            @Override
            public String pubsub_start_window_ms() {
                return "60000";
            }
        };
    }
}
