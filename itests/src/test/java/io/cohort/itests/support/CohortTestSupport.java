package io.cohort.itests.support;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.inject.Inject;

import io.cohort.api.node.CohortNode;
import io.cohort.api.node.PluginInfo;
import io.cohort.api.node.PluginState;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.After;
import org.junit.Before;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Helpers that run inside the framework, in the test probe: service look-up with a diagnosis of unsatisfied
 * components, test plugin install and removal, plugin state polling and node configuration changes.
 *
 * <p>Each test gets a fresh {@link HookRecorder}, registered before the test and removed after it. Plugin bundles
 * that a test installs are uninstalled after it, and the probe's service trackers are closed, which releases the
 * probe's own bundle-scoped manager instances.
 */
public abstract class CohortTestSupport {

    /** Symbolic names of the Cohort bundles under test. */
    public static final String API_BSN = "io.cohort.api";
    public static final String CORE_BSN = "io.cohort.core";
    public static final String SHELL_BSN = "io.cohort.shell";

    /** Configuration PID of the node settings. */
    public static final String NODE_PID = "io.cohort.core";

    /** Name of the core component that reads {@link #NODE_PID}. */
    public static final String NODE_COMPONENT = "io.cohort.core.node.NodeComponent";

    /** Service type under which that component registers the validated settings. */
    public static final String NODE_SETTINGS_SERVICE = "io.cohort.core.node.NodeSettings";

    /** Time for a service that should be registered already or within a moment. */
    protected static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(15);

    @Inject
    protected BundleContext context;

    @Inject
    protected ServiceComponentRuntime scr;

    @Inject
    protected ConfigurationAdmin configAdmin;

    protected final HookRecorder recorder = new HookRecorder();

    private ServiceRegistration<?> recorderRegistration;
    private final Map<Class<?>, ServiceTracker<?, ?>> trackers = new HashMap<>();
    private final List<Bundle> installed = new ArrayList<>();

    @Before
    public void registerRecorder() {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(HookRecorder.PROPERTY, Boolean.TRUE);
        recorderRegistration = context.registerService(Consumer.class.getName(), recorder, properties);
    }

    @After
    public void removeTestState() throws Exception {
        uninstallPlugins();
        for (ServiceTracker<?, ?> tracker : trackers.values()) {
            tracker.close();
        }
        trackers.clear();
        if (recorderRegistration != null) {
            recorderRegistration.unregister();
            recorderRegistration = null;
        }
    }

    /** Uninstalls the plugin bundles that this test installed and refreshes the framework. */
    protected void uninstallPlugins() throws BundleException, InterruptedException {
        for (Bundle bundle : installed) {
            if (bundle.getState() != Bundle.UNINSTALLED) {
                bundle.uninstall();
            }
        }
        if (!installed.isEmpty()) {
            refresh(installed);
            installed.clear();
        }
    }

    /** Returns the service of {@code type}, waiting up to {@link #SERVICE_TIMEOUT}. */
    protected <T> T service(Class<T> type) {
        return service(type, SERVICE_TIMEOUT);
    }

    /**
     * Returns the service of {@code type} as obtained by the probe bundle, waiting up to {@code timeout}. The service
     * stays in use by the probe until the test ends, so a bundle-scoped instance keeps its state across calls.
     *
     * @throws AssertionError if no such service appears, with the state of every core and shell component
     */
    protected <T> T service(Class<T> type, Duration timeout) {
        ServiceTracker<T, T> tracker = tracker(type);
        try {
            T service = tracker.waitForService(timeout.toMillis());
            if (service == null) {
                fail("No " + type.getName() + " service within " + timeout.toMillis() + " ms. Components not active:"
                        + componentReport(bundle(CORE_BSN), bundle(SHELL_BSN)));
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for " + type.getName(), e);
        }
    }

    /** Returns the service of {@code type} if one is registered now, without waiting. */
    protected <T> Optional<T> currentService(Class<T> type) {
        return Optional.ofNullable(tracker(type).getService());
    }

    @SuppressWarnings("unchecked")
    private <T> ServiceTracker<T, T> tracker(Class<T> type) {
        return (ServiceTracker<T, T>) trackers.computeIfAbsent(type, key -> {
            ServiceTracker<T, T> created = new ServiceTracker<>(context, type, null);
            created.open();
            return created;
        });
    }

    /** Returns the node service, waiting for it. */
    protected CohortNode node() {
        return service(CohortNode.class);
    }

    /** Returns the installed bundle with symbolic name {@code bsn}. */
    protected Bundle bundle(String bsn) {
        for (Bundle bundle : context.getBundles()) {
            if (bsn.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new AssertionError("No bundle " + bsn + " is installed; installed: " + Arrays.stream(context.getBundles())
                .map(Bundle::getSymbolicName).collect(Collectors.joining(", ")));
    }

    /** Installs and starts the bundle of {@code plugin}; it is uninstalled after the test. */
    protected Bundle installPlugin(TestPlugin plugin) throws BundleException {
        Bundle bundle = installPluginStopped(plugin);
        bundle.start();
        return bundle;
    }

    /** Installs the bundle of {@code plugin} without starting it; it is uninstalled after the test. */
    protected Bundle installPluginStopped(TestPlugin plugin) throws BundleException {
        String folder = context.getProperty(TestPlugin.FOLDER_PROPERTY);
        assertNotNull("Framework property " + TestPlugin.FOLDER_PROPERTY + " is not set", folder);
        File jar = new File(folder, plugin.fileName());
        Bundle bundle = context.installBundle(jar.toURI().toString());
        installed.add(bundle);
        return bundle;
    }

    /** Uninstalls {@code bundle} and refreshes the framework, so that its class loader can go. */
    protected void uninstall(Bundle bundle) throws BundleException, InterruptedException {
        bundle.uninstall();
        installed.remove(bundle);
        refresh(List.of(bundle));
    }

    /** Refreshes {@code bundles} and waits until the framework reports the refresh done. */
    protected void refresh(List<Bundle> bundles) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        wiring.refreshBundles(new ArrayList<>(bundles), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        if (!done.await(SERVICE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Refreshing " + bundles + " did not finish within " + SERVICE_TIMEOUT);
        }
    }

    /** Returns the plugin named {@code name} as the node reports it, or empty. */
    protected Optional<PluginInfo> pluginInfo(String name) {
        return node().plugins().stream().filter(info -> info.name().equals(name)).findFirst();
    }

    /** Returns the plugin named {@code name} of {@code bundle} as the node reports it, or empty. */
    protected Optional<PluginInfo> pluginInfo(Bundle bundle, String name) {
        return node().plugins().stream()
                .filter(info -> info.name().equals(name) && info.bundleId() == bundle.getBundleId())
                .findFirst();
    }

    /** Waits until plugin {@code name} of {@code bundle} is in {@code state} and returns its info. */
    protected PluginInfo awaitPluginState(Bundle bundle, String name, PluginState state) {
        return awaitPluginState(bundle, name, state, Eventually.DEFAULT_TIMEOUT);
    }

    /** Waits up to {@code timeout} until plugin {@code name} of {@code bundle} is in {@code state}. */
    protected PluginInfo awaitPluginState(Bundle bundle, String name, PluginState state, Duration timeout) {
        PluginInfo[] found = new PluginInfo[1];
        eventually(timeout, () -> {
            Optional<PluginInfo> info = pluginInfo(bundle, name);
            assertEquals("state of plugin " + name + " of bundle " + bundle.getBundleId() + " (all plugins: "
                    + node().plugins() + ")", state, info.map(PluginInfo::state).orElse(null));
            found[0] = info.get();
        });
        return found[0];
    }

    /**
     * Runs one Gogo command through the {@link CommandProcessor} service, as a console would, and returns what it
     * printed followed by its result formatted for display.
     *
     * @throws Exception what the command threw, for example when it is not found
     */
    protected String execute(String command) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
                CommandSession session = service(CommandProcessor.class)
                        .createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            Object result = session.execute(command);
            out.flush();
            String printed = output.toString(StandardCharsets.UTF_8);
            return result == null ? printed : printed + session.format(result, Converter.INSPECT);
        }
    }

    /** Returns the node's live resource counts. */
    protected Map<String, Long> resources() {
        return node().resources();
    }

    /**
     * Applies {@code settings} to the node configuration (PID {@value #NODE_PID}) on top of what it has, and waits
     * until the node component has registered new node settings and every core component is active or satisfied.
     * Does nothing when the configuration already has these values.
     */
    protected void updateNodeConfig(Map<String, ?> settings) throws Exception {
        if (nodeConfigHas(settings)) {
            return;
        }
        long previousSettings = nodeSettingsServiceId();
        writeNodeConfig(settings);
        awaitNodeRestarted(previousSettings);
    }

    /** Writes {@code settings} to the node configuration on top of what it has, without waiting. */
    protected void writeNodeConfig(Map<String, ?> settings) throws Exception {
        Configuration configuration = configAdmin.getConfiguration(NODE_PID, "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            properties = new Hashtable<>();
        }
        for (Map.Entry<String, ?> setting : settings.entrySet()) {
            properties.put(setting.getKey(), setting.getValue());
        }
        configuration.update(properties);
    }

    /**
     * Deletes the node configuration, so that every setting is back to its default, and waits until the node runs
     * with it. Does nothing when there is no configuration.
     *
     * <p>NOTE: the wait is needed. With ConfigAdmin 1.9.26 and SCR 2.2.12, an update of the PID written right after
     * its deletion was sometimes never applied. ConfigAdmin then contained the new values, but the node component
     * kept running with the defaults. This happened in 4 of 6 rounds of a delete-then-update loop in this module.
     */
    protected void resetNodeConfig() throws Exception {
        Configuration configuration = configAdmin.getConfiguration(NODE_PID, "?");
        if (configuration.getProperties() == null) {
            return;
        }
        long previousSettings = nodeSettingsServiceId();
        configuration.delete();
        awaitNodeRestarted(previousSettings);
    }

    /**
     * Waits until the node settings service is registered again with a service id other than {@code previous}, and
     * until the core's components are active or satisfied again.
     */
    protected void awaitNodeRestarted(long previous) {
        eventually(() -> {
            long current = nodeSettingsServiceId();
            assertTrue("node settings not registered again (previous service id " + previous + ", now " + current
                    + "); node component: " + describe(nodeComponentConfiguration()),
                    current >= 0 && current != previous);
            assertEquals("core components not active or satisfied", "", componentReport(bundle(CORE_BSN)));
        });
        node();
    }

    /**
     * Returns the service id of the node settings that the node component registers, or -1 while there are none.
     * The service type is private to the core bundle, so it is looked up by name.
     */
    protected long nodeSettingsServiceId() throws InvalidSyntaxException {
        ServiceReference<?>[] references = context.getAllServiceReferences(NODE_SETTINGS_SERVICE, null);
        if (references == null || references.length == 0) {
            return -1;
        }
        return (Long) references[0].getProperty(Constants.SERVICE_ID);
    }

    private boolean nodeConfigHas(Map<String, ?> settings) throws Exception {
        Dictionary<String, Object> properties = configAdmin.getConfiguration(NODE_PID, "?").getProperties();
        if (properties == null) {
            return false;
        }
        for (Map.Entry<String, ?> setting : settings.entrySet()) {
            if (!setting.getValue().equals(properties.get(setting.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Returns the one configuration of the core's node component. */
    protected ComponentConfigurationDTO nodeComponentConfiguration() {
        ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(bundle(CORE_BSN), NODE_COMPONENT);
        assertNotNull("Component " + NODE_COMPONENT + " is not declared by " + CORE_BSN, description);
        List<ComponentConfigurationDTO> configurations = new ArrayList<>(
                scr.getComponentConfigurationDTOs(description));
        assertEquals("configurations of " + NODE_COMPONENT, 1, configurations.size());
        return configurations.get(0);
    }

    /**
     * Describes every component of {@code bundles} that is neither active nor satisfied, one per line with its
     * unsatisfied references and failure; empty when all are fine.
     */
    protected String componentReport(Bundle... bundles) {
        StringBuilder report = new StringBuilder();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs(bundles)) {
            if (!scr.isComponentEnabled(description)) {
                report.append("\n  ").append(description.name).append(": disabled");
                continue;
            }
            List<ComponentConfigurationDTO> configurations = new ArrayList<>(
                    scr.getComponentConfigurationDTOs(description));
            if (configurations.isEmpty()) {
                report.append("\n  ").append(description.name).append(": no configuration (policy ")
                        .append(description.configurationPolicy).append(")");
            }
            for (ComponentConfigurationDTO configuration : configurations) {
                if (configuration.state != ComponentConfigurationDTO.ACTIVE
                        && configuration.state != ComponentConfigurationDTO.SATISFIED) {
                    report.append("\n  ").append(describe(configuration));
                }
            }
        }
        return report.toString();
    }

    /** Describes one component configuration: its state, unsatisfied references and the first line of its failure. */
    protected static String describe(ComponentConfigurationDTO configuration) {
        StringBuilder line = new StringBuilder(configuration.description.name).append(": ")
                .append(stateName(configuration.state));
        for (UnsatisfiedReferenceDTO reference : configuration.unsatisfiedReferences) {
            line.append(", unsatisfied reference ").append(reference.name).append(" (")
                    .append(reference.target).append(")");
        }
        if (configuration.failure != null) {
            line.append(", failure: ").append(configuration.failure.lines().findFirst().orElse(""));
        }
        return line.toString();
    }

    /** Returns the name of a {@link ComponentConfigurationDTO} state constant. */
    protected static String stateName(int state) {
        switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                return "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                return "UNSATISFIED_REFERENCE";
            case ComponentConfigurationDTO.SATISFIED:
                return "SATISFIED";
            case ComponentConfigurationDTO.ACTIVE:
                return "ACTIVE";
            case ComponentConfigurationDTO.FAILED_ACTIVATION:
                return "FAILED_ACTIVATION";
            default:
                return "state " + state;
        }
    }

    /** Returns the name of a {@link Bundle} state constant. */
    protected static String bundleStateName(int state) {
        switch (state) {
            case Bundle.UNINSTALLED:
                return "UNINSTALLED";
            case Bundle.INSTALLED:
                return "INSTALLED";
            case Bundle.RESOLVED:
                return "RESOLVED";
            case Bundle.STARTING:
                return "STARTING";
            case Bundle.STOPPING:
                return "STOPPING";
            case Bundle.ACTIVE:
                return "ACTIVE";
            default:
                return "state " + state;
        }
    }
}
