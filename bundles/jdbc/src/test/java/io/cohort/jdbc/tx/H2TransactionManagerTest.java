package io.cohort.jdbc.tx;

import io.cohort.jdbc.TestDatabase;

public class H2TransactionManagerTest extends AbstractTransactionManagerTest {

    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }
}
