package io.cohort.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.cohort.api.node.ConfigurationError;
import io.cohort.core.testing.FelixFramework;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

/**
 * The component in a real Felix framework, with the system bundle's context in place of the hazelcast bundle's. Most
 * tests use settings that start no member, and the one that changes a running member's configuration uses port 5806.
 */
public class MemberComponentTest {

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Rule
    public final FelixFramework felix = new FelixFramework();

    private BundleContext context;

    @Before
    public void useSystemBundleContext() {
        context = felix.context();
    }

    @Test
    public void activate_invalidSetting_logsPidOnce() {
        String log = StandardError.capture(() -> new MemberComponent(context, Map.of(MemberSettings.PORT_COUNT, 0))
                .deactivate());

        String error = StandardError.lineWith(log, "Hazelcast member not started");
        assertTrue(error, error.contains(" ERROR "));
        assertTrue(error, error.contains("setting port.count '0' is invalid"));
        assertEquals(error, 1, StandardError.count(StandardError.message(error), HazelcastMember.PID));
    }

    @Test
    public void activate_twoInvalidSettings_oneConfigurationError() throws Exception {
        MemberComponent component = new MemberComponent(context, Map.of(MemberSettings.PORT, "http",
                MemberSettings.SHUTDOWN_GRACEFUL, "yes"));

        assertEquals(List.of(new ConfigurationError(HazelcastMember.PID, "io.cohort.hazelcast has 2 invalid "
                + "settings: port 'http' is invalid; expected a whole number from 1 to 65535 | shutdown.graceful 'yes' "
                + "is invalid; expected true or false")), configurationErrors());
        component.deactivate();
        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void modified_invalidWhileRunning_errorUntilFixed() throws Exception {
        Map<String, Object> properties = new HashMap<>(Map.of(
                MemberSettings.CLUSTER_NAME, "cohort-test-component-" + ProcessHandle.current().pid(),
                MemberSettings.PORT, 5806, MemberSettings.PORT_COUNT, 1,
                MemberSettings.MEMBERS, "127.0.0.1:5806"));
        MemberComponent component = new MemberComponent(context, properties);
        try {
            assertEquals(List.of(), configurationErrors());

            properties.put(MemberSettings.PORT_COUNT, "abc");
            component.modified(properties);
            List<ConfigurationError> errors = configurationErrors();
            assertEquals(errors.toString(), 1, errors.size());
            assertEquals(HazelcastMember.PID, errors.get(0).pid());
            String message = errors.get(0).message();
            assertTrue(message, message.contains("port.count 'abc' is invalid"));
            assertTrue(message, message.contains("keeps running with its previous settings"));
            assertEquals(1, context.getServiceReferences(HazelcastMember.class, null).size());

            properties.put(MemberSettings.PORT_COUNT, 1);
            component.modified(properties);
            assertEquals(List.of(), configurationErrors());

            properties.put(MemberSettings.PORT_COUNT, "abc");
            component.modified(properties);
            assertEquals(1, configurationErrors().size());
        } finally {
            component.deactivate();
        }
        assertEquals(List.of(), configurationErrors());
    }

    private List<ConfigurationError> configurationErrors() throws InvalidSyntaxException {
        return context.getServiceReferences(ConfigurationError.class, null).stream()
                .map(context::getService)
                .collect(Collectors.toList());
    }
}
