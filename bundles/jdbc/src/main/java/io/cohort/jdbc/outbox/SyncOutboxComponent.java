package io.cohort.jdbc.outbox;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import io.cohort.api.node.CohortNode;
import io.cohort.api.node.ConfigurationError;
import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.api.spi.SyncOutbox;
import io.cohort.api.tx.Transaction;
import io.cohort.jdbc.DatabaseComponent;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SyncOutbox} service of this node and its relay.
 *
 * <p>The relay needs the node's application name and pub/sub adapter, which the node configuration (PID
 * {@value #NODE_PID}) holds, so this component reads that PID as well as its own. FileInstall creates
 * configurations with the multi-location {@code ?}, which lets both the core bundle and this one read it.
 *
 * <p>The component registers the {@link SyncOutbox} service itself, and only while its settings are valid. An
 * invalid relay setting is logged as one ERROR naming it and registered as a {@link ConfigurationError}. An invalid
 * node setting is reported by the core bundle, which owns it, so this component logs only that the outbox stays
 * stopped. Either way no exception reaches SCR, which would log a stack trace for input the message already explains.
 */
@Component(service = {}, immediate = true,
        configurationPid = {SyncOutboxComponent.NODE_PID, DatabaseComponent.PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class SyncOutboxComponent implements SyncOutbox {

    /** The node configuration PID of the core bundle. */
    static final String NODE_PID = "io.cohort.core";

    private static final Logger LOG = LoggerFactory.getLogger(SyncOutboxComponent.class);

    @Reference(name = "dataSource", target = DatabaseComponent.DATASOURCE_TARGET)
    private DataSource dataSource;

    /** The node, whose id the relay's log messages name. The reference is optional, so the outbox starts without it. */
    @Reference(name = "node", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CohortNode node;

    private final Map<PubSubAdapter, String> adapters = new ConcurrentHashMap<>();
    private JdbcSyncOutbox outbox;
    private OutboxRelay relay;
    private String relayAdapterName;
    private boolean relayStarted;
    private ServiceRegistration<?> registration;

    /**
     * The relay settings, with the two node settings it shares with the core bundle; their defaults must stay
     * those of the core bundle's node configuration.
     */
    public @interface Config {

        /** Application name, from the node configuration. */
        String app_name() default "cohort";

        /** Pub/sub adapter of the sync manager, from the node configuration. */
        String pubsub_adapter() default Adapters.MEMORY;

        /**
         * Milliseconds the relay sleeps when the outbox is empty, 10 to 60000. A local commit wakes it at once, so
         * this bounds how late it publishes rows that other nodes left behind. Too low polls the database often.
         */
        String relay_interval_ms() default "500";

        /** Maximum rows that one relay round claims, 1 to 10000. */
        String relay_batch_size() default "100";

        /**
         * Milliseconds a relay's claim on a row lasts, 1000 to 300000. Too low lets a second relay publish a row
         * that a slow relay is still publishing, and receivers then drop the repeat. Too high delays the rows of a
         * relay that died. The maximum stays well below the 10 minutes for which receivers remember message ids.
         */
        String relay_claim_ms() default "30000";

        /** Milliseconds a row whose publish failed waits before the next attempt, 10 to 3600000. */
        String relay_retry_delay_ms() default "5000";
    }

    @Activate
    void activate(BundleContext context, Config config) {
        try {
            RelaySettings.requireNodeSettings(config);
        } catch (IllegalArgumentException e) {
            LOG.warn("Sync outbox stays stopped until configuration {} is valid: {}", NODE_PID, e.getMessage());
            return;
        }
        RelaySettings settings;
        try {
            settings = RelaySettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("Configuration {} is invalid, so the sync outbox and its relay stay stopped until it is fixed: "
                    + "{}", DatabaseComponent.PID, e.getMessage());
            registration = context.registerService(ConfigurationError.class,
                    new ConfigurationError(DatabaseComponent.PID, e.getMessage()), null);
            return;
        }

        relayAdapterName = settings.pubSubAdapter();
        relay = new OutboxRelay(dataSource, settings, this::adapter, Clock.systemUTC(), this::nodeId);
        outbox = new JdbcSyncOutbox(dataSource, relay::wakeUp);
        registration = context.registerService(SyncOutbox.class, this, null);
        startRelayOnceAdapterBound();
    }

    /**
     * Starts the relay once the pub/sub adapter it publishes through is bound, so that it does not warn about a
     * missing adapter while the node starts. Rows appended before then wait in the outbox table.
     */
    private synchronized void startRelayOnceAdapterBound() {
        if (relay != null && !relayStarted && adapter(relayAdapterName) != null) {
            relayStarted = true;
            relay.start();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (relay != null && relayStarted) {
            relay.close();
        }
        relay = null;
        relayStarted = false;
    }

    @Reference(name = "adapter", service = PubSubAdapter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeAdapter")
    void addAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        adapters.put(adapter, String.valueOf(properties.get(Adapters.NAME_PROPERTY)));
        startRelayOnceAdapterBound();
    }

    void removeAdapter(PubSubAdapter adapter, Map<String, Object> properties) {
        adapters.remove(adapter);
        stopRelayWithoutAdapter();
    }

    /**
     * Stops the relay when its pub/sub adapter is gone, as when the node stops or its Hazelcast member restarts, so
     * that it does not warn in every round meanwhile. Rows wait in the outbox table until the adapter is back.
     */
    private synchronized void stopRelayWithoutAdapter() {
        if (relay != null && relayStarted && adapter(relayAdapterName) == null) {
            relayStarted = false;
            relay.close();
        }
    }

    @Override
    public void append(Transaction transaction, String appName, String topic, Envelope envelope) {
        outbox.append(transaction, appName, topic, envelope);
    }

    @Override
    public String toString() {
        return "SyncOutbox[relay " + (relay == null ? "not started" : relay.relayId()) + "]";
    }

    private String nodeId() {
        CohortNode current = node;
        return current == null ? "(not started)" : current.nodeId();
    }

    private PubSubAdapter adapter(String name) {
        for (Map.Entry<PubSubAdapter, String> entry : adapters.entrySet()) {
            if (entry.getValue().equals(name)) {
                return entry.getKey();
            }
        }
        return null;
    }
}
