package io.cohort.jdbc.outbox;

import io.cohort.jdbc.TestDatabase;

/** Runs only when {@code COHORT_TEST_POSTGRES_URL} names a PostgreSQL database. */
public class PostgresOutboxTest extends AbstractOutboxTest {

    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }
}
