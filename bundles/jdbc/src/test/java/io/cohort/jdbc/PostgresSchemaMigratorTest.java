package io.cohort.jdbc;

/** Runs only when {@code COHORT_TEST_POSTGRES_URL} names a PostgreSQL database. */
public class PostgresSchemaMigratorTest extends AbstractSchemaMigratorTest {

    @Override
    protected TestDatabase database() {
        return TestDatabase.postgres();
    }
}
