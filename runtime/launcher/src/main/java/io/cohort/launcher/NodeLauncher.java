package io.cohort.launcher;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import sun.misc.Signal;

import io.cohort.launcher.SystemBundles.SystemBundle;

/**
 * Runs one node: locks its home, creates the OSGi framework from {@code etc/cohort.properties}, installs the bundles
 * of {@code system/} with their start levels, starts the framework and waits until it stops.
 *
 * <p>SIGTERM and SIGINT (Ctrl-C) stop the framework from a signal handler before the JVM begins to shut down. Any
 * other JVM shutdown while the node runs ({@code System.exit}) stops it from a shutdown hook. Either way the
 * launcher waits up to {@link #STOP_TIMEOUT} and then halts the JVM with status 0 after a clean stop or 1 otherwise.
 * Without the halt, the JVM would exit with 143 or 130 after a stop that went well, which service managers and
 * scripts read as a failure. Halting skips the shutdown hooks that have not finished by then, so bundles must
 * release their resources when they stop, not in shutdown hooks of their own.
 *
 * <p>The signal handlers exist because the JVM runs all shutdown hooks at once. H2's hook closes every embedded
 * database while the node's components still use it, and H2 2.3 rejects {@code DB_CLOSE_ON_EXIT=FALSE} together
 * with {@code AUTO_SERVER=TRUE}, which the shipped database URL sets. After a stop through a handler, the
 * database is already closed with its pool, and the halt skips every library's hook.
 */
final class NodeLauncher {

    /** How long a stop waits for the bundles to stop before the JVM exits anyway. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(NodeLauncher.class);
    /** System property with the file to create once the node has started, set while the class archive records. */
    static final String ARCHIVE_COMPLETE_PROPERTY = "cohort.class.archive.complete";
    /**
     * System property with the file that {@code bin/cohort} creates when this JVM maps the class archive. The node
     * deletes it once it has started or has failed on its own. A file left by a process that is gone therefore
     * means that its JVM crashed or was killed during the start, and the next start drops the archive.
     */
    static final String ARCHIVE_MAPPING_PROPERTY = "cohort.class.archive.mapping";

    private static final String BEGINNING_START_LEVEL = "org.osgi.framework.startlevel.beginning";
    private static final String GOGO_SHELL_ARGS = "gosh.args";

    private final NodeHome home;
    private final boolean console;
    private final Thread shutdownHook = new Thread(this::stopOnShutdown, "cohort-shutdown");
    private volatile Framework framework;
    /** The framework's cache folder, named in start failures; {@code null} until the properties are read. */
    private String frameworkCache;
    private volatile boolean stoppingOnShutdown;
    /** The signal handler or shutdown hook thread that stops the node and then halts the JVM, or {@code null}. */
    private volatile Thread stopper;

    /**
     * Creates a launcher for {@code home}.
     *
     * @param console whether the Gogo shell may open an interactive console on stdin
     */
    NodeLauncher(NodeHome home, boolean console) {
        this.home = home;
        this.console = console;
    }

    /**
     * Sends java.util.logging records to SLF4J, so that what FileInstall (with
     * {@code felix.fileinstall.log.default=jul}) and Hazelcast's bundle activator log reaches the node's log file.
     */
    private static void routeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /**
     * Runs the node until its framework stops, and returns the exit status: 0 after a clean stop, 1 when the node
     * failed to start or stopped with an error. When a JVM shutdown stops the node, the shutdown hook ends the JVM
     * and this method's result is not used.
     */
    int run() {
        long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        NodeLock lock;
        try {
            lock = NodeLock.acquire(home);
        } catch (IOException | IllegalStateException e) {
            LOG.error("Cohort node at {} not started: {}", home.describe(), e.getMessage());
            clearClassArchiveMapping();
            return Main.EXIT_FAILURE;
        }
        try {
            return runLocked(jvmStartMillis);
        } finally {
            clearClassArchiveMapping();
            removeShutdownHook();
            release(lock);
            awaitStopper();
        }
    }

    private int runLocked(long jvmStartMillis) {
        routeJavaUtilLogging();
        try {
            createFolders();
            Map<String, String> properties = frameworkProperties();
            frameworkCache = properties.get(Constants.FRAMEWORK_STORAGE);
            List<SystemBundle> systemBundles = SystemBundles.scan(home.system());
            warnAboveBeginningLevel(systemBundles, properties);

            framework = newFramework(properties);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            stopOnSignals();
            List<Bundle> installed = start(framework, systemBundles);
            long activeCount = installed.stream().filter(bundle -> bundle.getState() == Bundle.ACTIVE).count();
            LOG.info("Cohort node started in {} ms (home {}, node {}, data {}, {} of {} system bundles active,"
                    + " console {})", System.currentTimeMillis() - jvmStartMillis, home, home.node(), home.data(),
                    activeCount, installed.size(), console ? "on" : "off");
            warnInactive(installed);
            markClassArchiveComplete();
            clearClassArchiveMapping();

            return awaitStop(framework);
        } catch (IOException | BundleException | RuntimeException e) {
            LOG.error("Cohort node at {} failed: {}{}", home.describe(), e.getMessage(), causeNote(e), e);
            stopAfterFailure();
            return Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("Cohort node at {} was interrupted while running; stopping it", home.describe());
            stopAfterFailure();
            return Main.EXIT_FAILURE;
        }
    }

    /**
     * Creates the file named by {@value #ARCHIVE_COMPLETE_PROPERTY}, which {@code bin/cohort} sets when this JVM
     * records the home's class archive. The file marks the archive written at this JVM's exit as one from a node
     * that started, so it contains the classes a start loads.
     */
    private static void markClassArchiveComplete() {
        String marker = System.getProperty(ARCHIVE_COMPLETE_PROPERTY, "");
        if (marker.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(marker), "");
        } catch (IOException | RuntimeException e) {
            LOG.warn("Creating {} failed: {}; the class archive that this node writes when it stops will not be "
                    + "used, and the next start records it again", marker, e.toString());
        }
    }

    /**
     * Creates the folder of the class archive again if this JVM records the archive and the folder is gone, as when
     * an operator deleted {@code cache/} while the node ran. The JVM writes the archive as it exits, and without the
     * folder it reports an error and exits with status 1 after a clean stop. Called just before the JVM exits.
     */
    static void keepClassArchiveFolder() {
        String marker = System.getProperty(ARCHIVE_COMPLETE_PROPERTY, "");
        if (marker.isBlank()) {
            return;
        }
        Path folder = Path.of(marker).toAbsolutePath().getParent();
        try {
            Files.createDirectories(folder);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Creating the class archive folder {} failed: {}; the JVM cannot write the archive as it exits",
                    folder, e.toString());
        }
    }

    /** Deletes the file named by {@value #ARCHIVE_MAPPING_PROPERTY}, if this JVM maps the class archive. */
    private static void clearClassArchiveMapping() {
        String marker = System.getProperty(ARCHIVE_MAPPING_PROPERTY, "");
        if (marker.isBlank()) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(marker));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Deleting {} failed: {}; the next start of this home drops the class archive once this node has "
                    + "stopped, and records it again", marker, e.toString());
        }
    }

    private void release(NodeLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("Releasing the node lock {} failed: {}", home.lockFile(), e.toString());
        }
    }

    private void createFolders() throws IOException {
        Files.createDirectories(home.data());
        Files.createDirectories(home.deploy());
        Files.createDirectories(home.log());
    }

    /**
     * Loads {@code etc/cohort.properties} with the variables of this node: {@code cohort.home}, {@code cohort.node}
     * and {@code cohort.node.data}. The first two are also set as framework properties, so bundles and the
     * {@code ${cohort.node}} of a {@code .cfg} file read them even if the file leaves them out.
     */
    private Map<String, String> frameworkProperties() throws IOException {
        Map<String, String> variables = Map.of(
                NodeHome.HOME_PROPERTY, home.toString(),
                NodeHome.NODE_PROPERTY, Integer.toString(home.node()),
                NodeHome.NODE_DATA_VARIABLE, home.data().toString());
        Map<String, String> properties = new HashMap<>(FrameworkProperties.load(home.frameworkProperties(),
                variables));
        properties.put(NodeHome.HOME_PROPERTY, home.toString());
        properties.put(NodeHome.NODE_PROPERTY, Integer.toString(home.node()));
        if (!console) {
            properties.put(GOGO_SHELL_ARGS, "--nointeractive");
        }
        return properties;
    }

    private static void warnAboveBeginningLevel(List<SystemBundle> bundles, Map<String, String> properties) {
        String configured = properties.getOrDefault(BEGINNING_START_LEVEL, "1").trim();
        int beginning;
        try {
            beginning = Integer.parseInt(configured);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BEGINNING_START_LEVEL + " '" + configured + "' is not a whole number");
        }
        for (SystemBundle bundle : bundles) {
            if (bundle.startLevel() > beginning) {
                LOG.warn("System bundle {} has start level {}, above the beginning start level {}; it will not start"
                        + " until the start level is raised", bundle.jar(), bundle.startLevel(), beginning);
            }
        }
    }

    private static Framework newFramework(Map<String, String> properties) {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, NodeLauncher.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No OSGi framework found on the class path; lib/ must"
                        + " contain org.apache.felix.framework"));
        Map<String, Object> configuration = new HashMap<>(properties);
        if (factory.getClass().getName().startsWith("org.apache.felix.framework.")) {
            configuration.put(FrameworkLog.LOGGER_PROPERTY, new FrameworkLog());
        }
        return factory.newFramework(withObjectValues(configuration));
    }

    /** Felix accepts objects as configuration values (the logger), although the interface declares strings. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, String> withObjectValues(Map<String, Object> configuration) {
        return (Map) configuration;
    }

    /**
     * Returns a note naming the deepest cause of {@code failure}, such as a full disk, which the framework puts only
     * in the stack trace of "Unable to cache bundle"; a bundle failure also names the framework cache folder.
     * Returns an empty string when {@code failure} has no cause.
     */
    private String causeNote(Exception failure) {
        String root = RootCause.describe(failure);
        if (root == null) {
            return "";
        }
        String folder = failure instanceof BundleException && frameworkCache != null
                ? "; framework cache folder " + frameworkCache : "";
        return " (cause: " + root + folder + ")";
    }

    private static List<Bundle> start(Framework framework, List<SystemBundle> systemBundles) throws BundleException {
        framework.init();
        BundleContext context = framework.getBundleContext();
        context.registerService(new String[] {FindHook.class.getName(), EventListenerHook.class.getName()},
                new NetworkShellHook(), null);
        List<Bundle> installed = new ArrayList<>(systemBundles.size());
        for (SystemBundle systemBundle : systemBundles) {
            Bundle bundle = context.installBundle(systemBundle.jar().toUri().toString());
            bundle.adapt(BundleStartLevel.class).setStartLevel(systemBundle.startLevel());
            if (!isFragment(bundle)) {
                // Below the bundle's start level this only marks it to start when the framework reaches that level.
                bundle.start();
            }
            installed.add(bundle);
            LOG.debug("Installed {} {} at start level {}", bundle.getSymbolicName(), bundle.getVersion(),
                    systemBundle.startLevel());
        }
        framework.start();
        return installed;
    }

    private static boolean isFragment(Bundle bundle) {
        return bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    private static void warnInactive(List<Bundle> installed) {
        for (Bundle bundle : installed) {
            if (!isFragment(bundle) && bundle.getState() != Bundle.ACTIVE) {
                LOG.warn("Bundle {} {} [{}] is {} after the node started; the framework errors above say why",
                        bundle.getSymbolicName(), bundle.getVersion(), bundle.getBundleId(), stateName(bundle));
            }
        }
    }

    private static String stateName(Bundle bundle) {
        return switch (bundle.getState()) {
            case Bundle.INSTALLED -> "INSTALLED (not resolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNINSTALLED";
        };
    }

    /** Waits until the framework stops; an update or a refresh of the system bundle restarts it in place. */
    private int awaitStop(Framework framework) throws InterruptedException, BundleException {
        while (true) {
            FrameworkEvent event = framework.waitForStop(0);
            switch (event.getType()) {
                case FrameworkEvent.STOPPED_UPDATE, FrameworkEvent.STOPPED_SYSTEM_REFRESHED -> {
                    if (stoppingOnShutdown) {
                        return 0;
                    }
                    LOG.info("The framework stopped for an update of the system bundle; starting it again");
                    framework.start();
                }
                case FrameworkEvent.STOPPED -> {
                    if (!stoppingOnShutdown) {
                        LOG.info("Cohort node stopped");
                    }
                    return 0;
                }
                default -> {
                    LOG.error("Cohort node stopped with an error", event.getThrowable());
                    return Main.EXIT_FAILURE;
                }
            }
        }
    }

    /**
     * Installs SIGTERM and SIGINT handlers that stop the node. A JVM that reserves a signal (run with {@code -Xrs},
     * or on a platform without it) keeps its default handler, and the shutdown hook stops the node as before.
     */
    private void stopOnSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> stopAndHalt("it received SIG" + signal.getName()));
            } catch (IllegalArgumentException e) {
                LOG.debug("SIG{} handler not installed, so the shutdown hook stops the node: {}", name,
                        e.getMessage());
            }
        }
    }

    /**
     * Waits for the thread that is stopping the node, if any, so that it logs the end of the stop and halts the JVM
     * with the stop's status before {@code Main} can exit the JVM with another.
     */
    private void awaitStopper() {
        Thread stopping = stopper;
        if (stopping == null) {
            return;
        }
        try {
            stopping.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopOnShutdown() {
        stopAndHalt("the JVM is shutting down");
    }

    /** Stops the running framework, then halts the JVM with the stop's status; does nothing if none runs. */
    private void stopAndHalt(String reason) {
        Framework running = framework;
        if (running == null || (running.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
            return;
        }
        stoppingOnShutdown = true;
        stopper = Thread.currentThread();
        LOG.info("Stopping Cohort node at {} because {}", home.describe(), reason);
        int status = stop(running) ? 0 : Main.EXIT_FAILURE;
        keepClassArchiveFolder();
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    private void stopAfterFailure() {
        Framework running = framework;
        if (running != null && (running.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
            stop(running);
        }
    }

    /** Stops the framework and waits up to {@link #STOP_TIMEOUT}; returns whether it stopped cleanly in time. */
    private boolean stop(Framework running) {
        long begin = System.nanoTime();
        try {
            running.stop();
            FrameworkEvent event = running.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.error("Cohort node at {} did not stop within {} s; exiting anyway", home.describe(),
                        STOP_TIMEOUT.toSeconds());
                return false;
            }
            if (event.getType() == FrameworkEvent.ERROR) {
                LOG.error("Cohort node at {} stopped with an error", home.describe(), event.getThrowable());
                return false;
            }
            LOG.info("Cohort node stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
            return true;
        } catch (BundleException e) {
            LOG.error("Stopping the framework of the node at {} failed", home.describe(), e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("Interrupted while waiting for the node at {} to stop", home.describe());
            return false;
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down, so the hook is running or done and ends the JVM itself.
            LOG.debug("Shutdown hook not removed: {}", e.getMessage());
        }
    }
}
