package io.cohort.jdbc;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.sql.DataSource;

import io.cohort.api.spi.Adapters;
import io.cohort.api.spi.Envelope;
import io.cohort.api.spi.PubSubAdapter;
import io.cohort.core.memory.LocalBus;
import io.cohort.core.memory.MemoryPubSubAdapter;
import io.cohort.core.node.NodeSettings;
import io.cohort.core.sync.NodeSyncManager;
import io.cohort.jdbc.outbox.JdbcSyncOutbox;
import io.cohort.jdbc.outbox.OutboxRelay;
import io.cohort.jdbc.outbox.RelaySettings;
import io.cohort.jdbc.tx.JdbcTransactionManager;

/**
 * One simulated node of application {@value #APP}: a sync manager on a shared {@link LocalBus}, a pool of its own on
 * the shared test database, its transaction manager and outbox, and a relay that the test starts or not.
 */
public final class TestNode implements AutoCloseable {

    public static final String APP = "test";

    public final String nodeId;
    public final DataSource dataSource;
    public final JdbcTransactionManager transactions;
    public final NodeSyncManager sync;
    public final MemoryPubSubAdapter adapter;
    public final OutboxRelay relay;

    /** How many envelopes this node's relay published. */
    public final AtomicInteger relayed = new AtomicInteger();

    public TestNode(String nodeId, LocalBus bus, TestDatabase database, RelaySettings relaySettings) {
        this.nodeId = nodeId;
        this.dataSource = database.open();
        this.transactions = new JdbcTransactionManager(dataSource);
        this.adapter = new MemoryPubSubAdapter(bus);
        this.sync = new NodeSyncManager(new NodeSettings(APP, nodeId, Path.of("target"), Adapters.MEMORY,
                Adapters.MEMORY, Adapters.MEMORY, Adapters.MEMORY, Duration.ofSeconds(1)));
        sync.addAdapter(adapter, Map.of(Adapters.NAME_PROPERTY, Adapters.MEMORY));
        PubSubAdapter counting = new PubSubAdapter() {
            @Override
            public void publish(String topic, Envelope envelope) {
                adapter.publish(topic, envelope);
                relayed.incrementAndGet();
            }

            @Override
            public Registration listen(String topic, Consumer<Envelope> listener) {
                return adapter.listen(topic, listener);
            }

            @Override
            public long joinedAtMillis() {
                return adapter.joinedAtMillis();
            }

            @Override
            public Registration listenSinceJoin(String topic, Consumer<Envelope> listener) {
                return adapter.listenSinceJoin(topic, listener);
            }
        };
        this.relay = new OutboxRelay(dataSource, relaySettings,
                name -> Adapters.MEMORY.equals(name) ? counting : null, Clock.systemUTC(), () -> nodeId);
        sync.bindOutbox(new JdbcSyncOutbox(dataSource, relay::wakeUp));
    }

    /** Returns relay settings for application {@value #APP} through the memory adapter. */
    public static RelaySettings relaySettings(int batchSize, Duration claimTime) {
        return new RelaySettings(APP, Adapters.MEMORY, Duration.ofMillis(50), batchSize, claimTime,
                Duration.ofMillis(100));
    }

    @Override
    public void close() {
        relay.close();
        sync.deactivate();
    }
}
