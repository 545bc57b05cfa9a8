package io.cohort.jdbc;

public class H2SchemaMigratorTest extends AbstractSchemaMigratorTest {

    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }
}
