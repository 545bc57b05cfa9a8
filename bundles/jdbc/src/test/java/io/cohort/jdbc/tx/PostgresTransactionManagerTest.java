package io.cohort.jdbc.tx;

import io.cohort.jdbc.TestDatabase;

/** Runs only when {@code COHORT_TEST_POSTGRES_URL} names a PostgreSQL database. */
public class PostgresTransactionManagerTest extends AbstractTransactionManagerTest {

    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }
}
