package io.cohort.jdbc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * Runs only when {@code COHORT_TEST_POSTGRES_URL} names a PostgreSQL database. The retry tests need PostgreSQL's
 * transactional DDL, which rolls a failed migration back and leaves no failed row in Flyway's history for the next
 * attempt to reject.
 */
public class PostgresSchemaMigratorTest extends AbstractSchemaMigratorTest {

    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Test
    public void migrate_failsOnce_secondAttemptApplies() throws Exception {
        int executed = failingMigrator(1).migrate(pool(), database.url());

        assertEquals(1, executed);
        assertEquals(2, runs.get());
        assertTrue(outboxTableExists());
    }

    @Test
    public void migrate_failsEveryAttempt_namesCountAndCause() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> failingMigrator(SchemaMigrator.ATTEMPTS).migrate(pool(), database.url()));

        assertTrue(error.getMessage(), error.getMessage().contains("failed " + SchemaMigrator.ATTEMPTS + " times"));
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertEquals("planned failure of run 3", cause.getMessage());
        assertEquals(SchemaMigrator.ATTEMPTS, runs.get());
    }
}
