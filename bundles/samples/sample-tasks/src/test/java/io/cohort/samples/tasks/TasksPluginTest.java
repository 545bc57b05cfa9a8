package io.cohort.samples.tasks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.cohort.api.node.ConfigurationError;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;

/**
 * Activates the tasks plugin in a real Felix framework, with the system bundle's context in place of the plugin
 * bundle's, and runs its queue consumer on payloads that name no task.
 */
public class TasksPluginTest {

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Framework framework;
    private BundleContext context;

    @Before
    public void startFramework() throws Exception {
        framework = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, temp.newFolder("felix").toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        context = framework.getBundleContext();
    }

    @After
    public void stopFramework() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }

    @Test
    public void activate_invalidSettings_registersConfigurationError() throws Exception {
        TasksPlugin plugin = new TasksPlugin();

        plugin.activate(context, config("lots", "5"), Map.of("concurrency", "lots", "step.ms", "5"));

        assertEquals(List.of(new ConfigurationError(TasksPlugin.PID, "concurrency 'lots' is not a whole number "
                + "from 1 to 256; using 2; step.ms 5 is invalid; expected 10 to 60000; using 1000")),
                configurationErrors());
        assertEquals(TaskSettings.DEFAULT_CONCURRENCY, plugin.settings().concurrency());
        plugin.deactivate();
        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void activate_validSettings_registersNoError() throws Exception {
        TasksPlugin plugin = new TasksPlugin();

        plugin.activate(context, config("4", "250"), Map.of("concurrency", "4", "step.ms", "250"));

        assertEquals(List.of(), configurationErrors());
        assertEquals(4, plugin.settings().concurrency());
        plugin.deactivate();
    }

    @Test
    public void unknownKeys_misspeltSetting_namedAlone() {
        Map<String, Object> properties = Map.of("concurrency", "2", "step_ms", "500", "service.pid", TasksPlugin.PID,
                "component.name", TasksPlugin.class.getName(), "cohort.plugin.name", TasksPlugin.NAME,
                "felix.fileinstall.filename", "file:/opt/cohort/etc/io.cohort.sample.tasks.cfg");

        assertEquals(Set.of("step_ms"), TasksPlugin.unknownKeys(properties));
    }

    @Test
    public void process_taskWithoutId_failsNamingQueueTask() throws Exception {
        TasksPlugin plugin = new TasksPlugin();
        plugin.activate(context, config("2", "1000"), Map.of());
        TasksPlugin.Runner runner = plugin.new Runner();

        for (TaskRequest request : new TaskRequest[] {new TaskRequest(null), new TaskRequest(" "), null}) {
            IllegalArgumentException e = assertThrows(String.valueOf(request), IllegalArgumentException.class,
                    () -> runner.process(request, new FakeTaskContext("queue-task-7")));

            assertEquals("queue task queue-task-7 on channel sample-tasks.run has no taskId; expected "
                    + "{\"taskId\":\"<id>\"} naming a row of sample_tasks_task, as tasks:submit publishes",
                    e.getMessage());
        }
        assertEquals("tasks running", 0, plugin.runningCount());
        plugin.deactivate();
    }

    private List<ConfigurationError> configurationErrors() throws InvalidSyntaxException {
        return context.getServiceReferences(ConfigurationError.class, null).stream()
                .map(context::getService)
                .collect(Collectors.toList());
    }

    private static TasksPlugin.Config config(String concurrency, String stepMillis) {
        return new TasksPlugin.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return TasksPlugin.Config.class;
            }

            @Override
            public String concurrency() {
                return concurrency;
            }

            @Override
            public String step_ms() {
                return stepMillis;
            }
        };
    }
}
