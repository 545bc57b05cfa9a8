package io.cohort.core.testing;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * A real Felix framework for each test: started on storage of its own before the test and stopped after it. Tests
 * pass the system bundle's context to the component under test in place of its bundle's context.
 */
public final class FelixFramework extends ExternalResource {

    private static final long STOP_WAIT_MILLIS = 10_000;

    private final TemporaryFolder folders = new TemporaryFolder();
    private final List<String> folderProperties;
    private Framework framework;

    /**
     * @param folderProperties names of framework properties that each get a new empty folder as their value, such as
     *     a component's data folder
     */
    public FelixFramework(String... folderProperties) {
        this.folderProperties = List.of(folderProperties);
    }

    /** Returns the system bundle's context of the running framework. */
    public BundleContext context() {
        return framework.getBundleContext();
    }

    /**
     * Stops the framework and starts a new one on new storage, with {@code properties} added to its configuration.
     *
     * @return the system bundle's context of the new framework
     */
    public BundleContext restart(Map<String, String> properties) throws BundleException, IOException,
            InterruptedException {
        stop();
        framework = start(properties);
        return context();
    }

    @Override
    protected void before() throws Throwable {
        folders.create();
        framework = start(Map.of());
    }

    @Override
    protected void after() {
        try {
            stop();
        } catch (BundleException e) {
            throw new IllegalStateException("stopping the Felix framework failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the Felix framework stopped", e);
        } finally {
            folders.delete();
        }
    }

    private Framework start(Map<String, String> properties) throws BundleException, IOException {
        Map<String, String> configuration = new HashMap<>(properties);
        configuration.put(Constants.FRAMEWORK_STORAGE, folders.newFolder().toString());
        configuration.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        for (String property : folderProperties) {
            configuration.put(property, folders.newFolder().toString());
        }
        Framework started = new FrameworkFactory().newFramework(configuration);
        started.start();
        return started;
    }

    private void stop() throws BundleException, InterruptedException {
        framework.stop();
        framework.waitForStop(STOP_WAIT_MILLIS);
    }
}
