package io.cohort.itests;

import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cohort.api.node.PluginState;
import io.cohort.itests.plugin.failing.FailingPlugin;
import io.cohort.itests.support.CohortOptions;
import io.cohort.itests.support.CohortTestSupport;
import io.cohort.itests.support.TestPlugin;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** The {@code cohort:*} Gogo commands return text and JSON when run through the CommandProcessor. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellCommandsIT extends CohortTestSupport {

    private static final String PLUGIN = TestPlugin.ALPHA.pluginName();

    private final ObjectMapper json = new ObjectMapper();

    @Configuration
    public Option[] config() {
        return CohortOptions.node(ShellCommandsIT.class);
    }

    @Test(timeout = 30_000)
    public void info_text_namesNodeAndApplication() throws Exception {
        String nodeId = node().nodeId();

        String output = execute("cohort:info");

        assertTrue("cohort:info names node id " + nodeId + ":\n" + output, output.contains(nodeId));
        assertTrue("cohort:info names the application:\n" + output, output.contains("cohort"));
    }

    @Test(timeout = 30_000)
    public void info_json_parsesAsObjectWithNodeId() throws Exception {
        String nodeId = node().nodeId();

        JsonNode info = json.readTree(execute("cohort:info --json"));

        assertTrue("cohort:info --json is not an object: " + info, info.isObject());
        assertTrue("cohort:info --json has no value " + nodeId + ": " + info,
                info.findValuesAsText("nodeId").contains(nodeId) || info.toString().contains('"' + nodeId + '"'));
    }

    @Test(timeout = 30_000)
    public void plugins_text_namesLoadedPlugin() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        awaitPluginState(alpha, PLUGIN, PluginState.LOADED);

        String output = execute("cohort:plugins");

        assertTrue("cohort:plugins names plugin " + PLUGIN + ":\n" + output, output.contains(PLUGIN));
        assertTrue("cohort:plugins shows state LOADED:\n" + output, output.contains(PluginState.LOADED.name()));
        assertTrue("cohort:plugins names the bundle:\n" + output,
                output.contains(TestPlugin.ALPHA.bundleSymbolicName()));
    }

    @Test(timeout = 30_000)
    public void plugins_json_parsesAndListsPlugin() throws Exception {
        Bundle alpha = installPlugin(TestPlugin.ALPHA);
        awaitPluginState(alpha, PLUGIN, PluginState.LOADED);

        JsonNode plugins = json.readTree(execute("cohort:plugins --json"));

        assertTrue("cohort:plugins --json is neither an array nor an object: " + plugins,
                plugins.isArray() || plugins.isObject());
        assertTrue("cohort:plugins --json does not list " + PLUGIN + ": " + plugins,
                plugins.toString().contains('"' + PLUGIN + '"'));
    }

    @Test(timeout = 30_000)
    public void plugins_failedPlugin_showsLastError() throws Exception {
        Bundle failing = installPlugin(TestPlugin.FAILING);
        awaitPluginState(failing, TestPlugin.FAILING.pluginName(), PluginState.FAILED);

        String output = execute("cohort:plugins");

        assertTrue("cohort:plugins shows FAILED:\n" + output, output.contains(PluginState.FAILED.name()));
        assertTrue("cohort:plugins shows the error message:\n" + output,
                output.contains(FailingPlugin.FAILURE));
    }
}
