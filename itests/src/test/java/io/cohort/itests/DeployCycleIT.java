package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.sun.management.HotSpotDiagnosticMXBean;

import io.cohort.api.node.PluginState;
import io.cohort.itests.support.CohortOptions;
import io.cohort.itests.support.CohortTestSupport;
import io.cohort.itests.support.TestPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.ErrorCollector;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Deploying and removing a plugin that uses every manager, many times over, leaves no thread, no resource and no
 * class loader behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployCycleIT extends CohortTestSupport {

    private static final String NAME = TestPlugin.CYCLE.pluginName();
    private static final int CYCLES = 100;

    /**
     * Threads that may exist after the cycles and not before: pool threads that the JDK or Cohort start on demand
     * and keep. A leak of one thread per cycle exceeds it many times over.
     */
    private static final int THREAD_SLACK = 4;

    private static final String PLUGIN_CLASS = "io.cohort.itests.plugin.cycle.CyclePlugin";

    /** Reports each leak check on its own, since one run of the cycles feeds all of them. */
    @Rule
    public final ErrorCollector errors = new ErrorCollector();

    @Configuration
    public Option[] config() {
        return CohortOptions.node(DeployCycleIT.class);
    }

    @Test(timeout = 170_000)
    public void plugin_manyRedeploys_leaveNothingBehind() throws Exception {
        deployAndRemove();
        Set<String> threadsBefore = threadNames();
        int threadCountBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        Map<String, Long> resourcesBefore = resources();
        int pluginsBefore = node().plugins().size();

        List<WeakReference<Class<?>>> pluginClasses = new ArrayList<>();
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            pluginClasses.add(deployAndRemove());
        }

        errors.checkSucceeds(() -> {
            eventually(Duration.ofSeconds(30), () -> assertEquals("resources", resourcesBefore, resources()));
            return null;
        });
        errors.checkSucceeds(() -> {
            eventually(Duration.ofSeconds(30), () -> {
                int threadCount = ManagementFactory.getThreadMXBean().getThreadCount();
                assertTrue("live threads " + threadCount + " exceed " + threadCountBefore + " + " + THREAD_SLACK
                        + "; new threads: " + newThreads(threadsBefore),
                        threadCount <= threadCountBefore + THREAD_SLACK);
            });
            return null;
        });
        errors.checkSucceeds(() -> {
            assertTrue("plugin list grew from " + pluginsBefore + " to " + node().plugins(),
                    node().plugins().size() <= pluginsBefore);
            return null;
        });
        errors.checkSucceeds(() -> {
            awaitCollected(pluginClasses);
            return null;
        });
    }

    /** Runs full garbage collections until every class in {@code pluginClasses} is collected. */
    private void awaitCollected(List<WeakReference<Class<?>>> pluginClasses) {
        try {
            eventually(Duration.ofSeconds(20), () -> {
                System.gc();
                assertEquals("plugin class loaders still reachable, of " + CYCLES, 0, reachable(pluginClasses));
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; heap dump for the paths that keep them: " + dumpHeap(), e);
        }
    }

    /** Writes a heap dump of live objects next to the test reports and returns its path. */
    private String dumpHeap() {
        Path file = Paths.get(System.getProperty("cohort.it.buildDir", "target"), "DeployCycleIT-leak.hprof");
        try {
            Files.deleteIfExists(file);
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true);
            return file.toString();
        } catch (IOException | RuntimeException e) {
            return "none (" + e + ")";
        }
    }

    /**
     * Installs the cycle plugin, waits until its {@code load} has used every manager, uninstalls it and refreshes,
     * and returns a weak reference to a class of the removed bundle.
     */
    private WeakReference<Class<?>> deployAndRemove() throws Exception {
        recorder.clear();
        Bundle bundle = installPlugin(TestPlugin.CYCLE);
        awaitPluginState(bundle, NAME, PluginState.LOADED);
        assertEquals("cycle plugin outcome", List.of("cycle:loaded"), recorder.eventsStartingWith("cycle:"));
        WeakReference<Class<?>> pluginClass = new WeakReference<>(bundle.loadClass(PLUGIN_CLASS));

        uninstall(bundle);

        eventually(() -> assertEquals("plugins of the uninstalled bundle: " + node().plugins(), Optional.empty(),
                pluginInfo(bundle, NAME)));
        return pluginClass;
    }

    private static int reachable(List<WeakReference<Class<?>>> references) {
        int count = 0;
        for (WeakReference<Class<?>> reference : references) {
            if (reference.get() != null) {
                count++;
            }
        }
        return count;
    }

    private static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            names.add(thread.getName());
        }
        return names;
    }

    private static Set<String> newThreads(Set<String> before) {
        Set<String> now = threadNames();
        now.removeAll(before);
        return now;
    }
}
