package io.cohort.jdbc;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the pooled connections of Cohort's database after the database itself closed under them.
 *
 * <p>H2 2.3.232 closes an embedded database when a file write fails, for example on a full disk, and its open
 * connections then fail every statement with error 90098 or 90121. HikariCP 5.1.0 evicts a connection only for SQL
 * states of class 08 and a few vendor codes, none of them H2's, so without this the pool keeps handing out the dead
 * connections until the node restarts.
 */
public final class PoolEviction {

    /** H2's error codes for "the database has been closed" and "database is already closed". */
    static final Set<Integer> H2_DATABASE_CLOSED = Set.of(90098, 90121);

    private static final Logger LOG = LoggerFactory.getLogger(PoolEviction.class);

    private PoolEviction() {
    }

    /**
     * Evicts every connection of {@code dataSource}'s pool if {@code error} or one of its causes reports that the
     * database was closed: idle connections close at once, and connections in use close when they are returned.
     * The next connection opens the database again. Does nothing for other errors and other DataSources.
     *
     * @return whether the connections were evicted
     */
    public static boolean evictIfDatabaseClosed(DataSource dataSource, Throwable error) {
        if (!(dataSource instanceof CohortDataSource cohort) || !isDatabaseClosed(error)) {
            return false;
        }
        cohort.evictAll();
        LOG.warn("Database {} was closed by its driver ({}); its pooled connections are replaced, and the next "
                + "ones open it again", cohort.description(), rootMessage(error));
        return true;
    }

    /** Returns whether {@code error} or one of its causes is H2's error for a closed database. */
    static boolean isDatabaseClosed(Throwable error) {
        for (Throwable cause : causes(error)) {
            if (cause instanceof SQLException sql && H2_DATABASE_CLOSED.contains(sql.getErrorCode())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the class and message of the deepest cause of {@code error}, such as
     * {@code IOException: No space left on device}, which the driver's own message often leaves out.
     */
    public static String rootMessage(Throwable error) {
        Throwable root = rootCause(error);
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** Returns the deepest cause of {@code error}, or {@code error} itself when it has no cause. */
    static Throwable rootCause(Throwable error) {
        List<Throwable> chain = causes(error);
        return chain.get(chain.size() - 1);
    }

    /**
     * Returns {@code error} followed by its causes, each once. H2 2.3.232's {@code MVStoreException} and the
     * {@code IOException} it wraps are each other's cause, so a plain walk down the chain would not end.
     */
    private static List<Throwable> causes(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable cause = error; cause != null && seen.add(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }
}
