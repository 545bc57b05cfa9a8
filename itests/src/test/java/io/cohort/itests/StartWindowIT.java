package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;

import java.util.List;

import io.cohort.api.node.PluginState;
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

/**
 * While the node starts, a plugin that subscribes in {@code beforeLoad} receives what another plugin published
 * before that: {@code herald} publishes in {@code load}, and {@code listener}, which depends on it, subscribes after.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StartWindowIT extends CohortTestSupport {

    @Configuration
    public Option[] config() {
        return CohortOptions.node(StartWindowIT.class);
    }

    @Test(timeout = 30_000)
    public void subscriberInBeforeLoad_earlierPublish_received() throws Exception {
        Bundle herald = installPlugin(TestPlugin.HERALD);
        awaitPluginState(herald, TestPlugin.HERALD.pluginName(), PluginState.LOADED);
        assertEquals(List.of("herald:published"), recorder.eventsStartingWith("herald:"));

        Bundle listener = installPlugin(TestPlugin.LISTENER);

        awaitPluginState(listener, TestPlugin.LISTENER.pluginName(), PluginState.LOADED);
        eventually(() -> assertEquals(List.of("listener:received:herald-loaded"),
                recorder.eventsStartingWith("listener:received:")));
    }
}
