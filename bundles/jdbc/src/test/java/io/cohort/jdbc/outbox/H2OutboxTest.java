package io.cohort.jdbc.outbox;

import io.cohort.jdbc.TestDatabase;

public class H2OutboxTest extends AbstractOutboxTest {

    @Override
    protected TestDatabase database() {
        return TestDatabase.h2();
    }
}
