package io.cohort.jdbc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.sql.SQLException;

import org.junit.Test;

public class PoolEvictionTest {

    @Test
    public void rootMessage_circularCauses_returnsDeepestCause() {
        IOException full = new IOException("No space left on device");
        IllegalStateException store = new IllegalStateException("writing failed", full);
        full.initCause(store);
        SQLException closed = new SQLException("The database has been closed", "90098", 90098, store);

        assertEquals("IOException: No space left on device", PoolEviction.rootMessage(closed));
    }

    @Test
    public void isDatabaseClosed_nestedH2Code_true() {
        SQLException closed = new SQLException("The database has been closed", "90098", 90098);

        assertTrue(PoolEviction.isDatabaseClosed(new RuntimeException("round failed", closed)));
        assertTrue(PoolEviction.isDatabaseClosed(new SQLException("Database is already closed", "90121", 90121)));
    }

    @Test
    public void isDatabaseClosed_otherError_false() {
        assertFalse(PoolEviction.isDatabaseClosed(new SQLException("Unique index violated", "23505", 23505)));
        assertFalse(PoolEviction.isDatabaseClosed(new IOException("No space left on device")));
    }
}
