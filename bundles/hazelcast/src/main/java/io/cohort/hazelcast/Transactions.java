package io.cohort.hazelcast;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.transaction.TransactionContext;
import com.hazelcast.transaction.TransactionOptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work on several Hazelcast structures as one two-phase transaction. The transaction log has a backup on
 * another member. When the member running a transaction dies, the others use it to finish a prepared transaction or
 * roll back an unprepared one, so a task moved between structures ends up in exactly one of them.
 *
 * <p><b>Warning:</b> when the running member and the member holding its transaction log backup die together, an
 * unfinished transaction may apply on some structures only.
 */
final class Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

    /** Each transaction here does a few key operations, so 30 s leaves room even for waits on key locks. */
    private static final TransactionOptions OPTIONS = new TransactionOptions()
            .setTransactionType(TransactionOptions.TransactionType.TWO_PHASE)
            .setDurability(1)
            .setTimeout(30, TimeUnit.SECONDS);

    private Transactions() {
    }

    /**
     * Runs {@code work} in a new transaction and commits it, or rolls it back if {@code work} or the commit throws.
     *
     * @return what {@code work} returned
     */
    static <T> T run(HazelcastInstance instance, Function<TransactionContext, T> work) {
        TransactionContext context = instance.newTransactionContext(OPTIONS);
        context.beginTransaction();
        boolean committed = false;
        try {
            T result = work.apply(context);
            context.commitTransaction();
            committed = true;
            return result;
        } finally {
            if (!committed) {
                rollback(context);
            }
        }
    }

    private static void rollback(TransactionContext context) {
        try {
            context.rollbackTransaction();
        } catch (RuntimeException e) {
            // Hazelcast finishes an abandoned transaction itself when its timeout passes.
            LOG.debug("Rollback of transaction {} failed", context.getTxnId(), e);
        }
    }
}
