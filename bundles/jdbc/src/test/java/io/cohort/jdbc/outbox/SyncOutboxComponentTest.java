package io.cohort.jdbc.outbox;

import static org.junit.Assert.assertEquals;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.stream.Collectors;

import io.cohort.api.node.ConfigurationError;
import io.cohort.api.spi.SyncOutbox;
import io.cohort.core.testing.FelixFramework;
import io.cohort.jdbc.DatabaseComponent;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

/**
 * Runs the sync outbox component with invalid settings in a real Felix framework, with the system bundle's context in
 * place of the jdbc bundle's. Activation must not throw, so that SCR logs no stack trace, and must register no
 * outbox.
 */
public class SyncOutboxComponentTest {

    @Rule
    public final FelixFramework felix = new FelixFramework();

    private BundleContext context;

    @Before
    public void useSystemBundleContext() {
        context = felix.context();
    }

    @Test(timeout = 30_000)
    public void activate_relayNotNumber_registersConfigurationErrorOnly() throws Exception {
        SyncOutboxComponent component = new SyncOutboxComponent();

        component.activate(context, config("cohort", "lots"));

        assertEquals(List.of(), outboxes());
        assertEquals(List.of(new ConfigurationError(DatabaseComponent.PID,
                "relay.batch.size 'lots' is not a whole number; expected 1 to 10000")), configurationErrors());
        component.deactivate();
        assertEquals(List.of(), configurationErrors());
    }

    @Test(timeout = 30_000)
    public void activate_invalidAppName_registersNothing() throws Exception {
        SyncOutboxComponent component = new SyncOutboxComponent();

        component.activate(context, config("Shop!", "100"));

        assertEquals(List.of(), outboxes());
        assertEquals("the core bundle reports app.name", List.of(), configurationErrors());
        component.deactivate();
    }

    private List<Object> outboxes() throws InvalidSyntaxException {
        return context.getServiceReferences(SyncOutbox.class, null).stream()
                .map(context::getService)
                .collect(Collectors.toList());
    }

    private List<ConfigurationError> configurationErrors() throws InvalidSyntaxException {
        return context.getServiceReferences(ConfigurationError.class, null).stream()
                .map(context::getService)
                .collect(Collectors.toList());
    }

    /** Returns the configuration with these two values and every other setting at its default, as text. */
    private static SyncOutboxComponent.Config config(String appName, String batchSize) {
        return new SyncOutboxComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SyncOutboxComponent.Config.class;
            }

            @Override
            public String app_name() {
                return appName;
            }

            @Override
            public String pubsub_adapter() {
                return "memory";
            }

            @Override
            public String relay_interval_ms() {
                return "500";
            }

            @Override
            public String relay_batch_size() {
                return batchSize;
            }

            @Override
            public String relay_claim_ms() {
                return "30000";
            }

            @Override
            public String relay_retry_delay_ms() {
                return "5000";
            }
        };
    }
}
