package io.cohort.bench.harness;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.LongConsumer;

import io.cohort.api.pubsub.Subscription;
import io.cohort.api.sync.SyncOptions;
import io.cohort.api.tx.Transaction;
import io.cohort.bench.fixture.BenchCluster;
import io.cohort.jdbc.BenchDatabase;

/**
 * The sync message rows, from node 0 to node 1 on the same Hazelcast adapter: Cohort's pub/sub manager as the
 * reference, then the sync message manager sending at once, after the commit of a transaction, and durably through
 * the outbox. A last row runs the same transaction without a message and counts an arrival when its after-commit
 * callback runs on node 0: the floor that the transaction alone sets for the after-commit and durable rows.
 */
final class SyncEndpoints {

    private SyncEndpoints() {
    }

    /** Returns the pub/sub reference, the sync rows (immediate, after commit, durable), then the transaction. */
    static List<Endpoint> all(BenchCluster cluster, BenchDatabase database) {
        return List.of(new PubSubEndpoints.CohortPubSub(cluster, "pubsub"),
                new CohortSync(cluster, database, Mode.IMMEDIATE),
                new CohortSync(cluster, database, Mode.AFTER_COMMIT),
                new CohortSync(cluster, database, Mode.DURABLE),
                new CohortSync(cluster, database, Mode.TRANSACTION_ONLY));
    }

    /** Send mode of a row: one of the three kinds of {@link SyncOptions}, or the transaction alone. */
    enum Mode {

        /** {@code publish(channel, message)}, which is {@link SyncOptions#immediate()}: no transaction. */
        IMMEDIATE("syncImmediate"),

        /** A transaction that updates one row and publishes with {@link SyncOptions#afterCommit}. */
        AFTER_COMMIT("syncAfterCommit"),

        /** The same transaction, publishing with {@link SyncOptions#durable}: an outbox row that the relay sends. */
        DURABLE("syncDurable"),

        /** The same transaction without a message, counted as arrived when its after-commit callback runs. */
        TRANSACTION_ONLY("transaction");

        private final String system;

        Mode(String system) {
            this.system = system;
        }
    }

    /** Cohort's sync message manager, with the record payload of the pub/sub rows, on a channel of its own. */
    private static final class CohortSync implements Endpoint {

        private static final String UPDATE = "UPDATE " + BenchDatabase.STATE_TABLE
                + " SET version = version + 1 WHERE id = 1";

        private final BenchCluster cluster;
        private final BenchDatabase database;
        private final Mode mode;
        private final String channel;
        private Subscription subscription;
        private LongConsumer arrivals;

        CohortSync(BenchCluster cluster, BenchDatabase database, Mode mode) {
            this.cluster = cluster;
            this.database = database;
            this.mode = mode;
            this.channel = "bench.sync." + mode.system;
        }

        @Override
        public String system() {
            return mode.system;
        }

        @Override
        public void start(LongConsumer arrivals) {
            if (mode == Mode.TRANSACTION_ONLY) {
                this.arrivals = arrivals;
                return;
            }
            if (mode == Mode.DURABLE) {
                cluster.node(0).syncManager().bindOutbox(database.outbox());
            }
            subscription = cluster.node(1).sync().subscribe(channel,
                    message -> arrivals.accept(message.payload(Payloads.Stamped.class).sentNanos()));
        }

        @Override
        public void send(long sentNanos) throws SQLException {
            Payloads.Stamped message = new Payloads.Stamped(sentNanos, Payloads.BODY_TEXT);
            if (mode == Mode.IMMEDIATE) {
                cluster.node(0).sync().publish(channel, message);
                return;
            }
            database.transactions().run(transaction -> {
                try (PreparedStatement update = transaction.connection().prepareStatement(UPDATE)) {
                    update.executeUpdate();
                }
                if (mode == Mode.TRANSACTION_ONLY) {
                    transaction.afterCommit(() -> arrivals.accept(sentNanos));
                } else {
                    cluster.node(0).sync().publish(channel, message, options(transaction));
                }
            });
        }

        private SyncOptions options(Transaction transaction) {
            return mode == Mode.DURABLE ? SyncOptions.durable(transaction) : SyncOptions.afterCommit(transaction);
        }

        @Override
        public void close() {
            if (subscription != null) {
                subscription.close();
            }
            if (mode == Mode.DURABLE) {
                cluster.node(0).syncManager().unbindOutbox(database.outbox());
            }
        }
    }
}
