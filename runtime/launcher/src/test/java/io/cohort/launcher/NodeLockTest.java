package io.cohort.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class NodeLockTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private NodeHome home;

    @Before
    public void createHome() throws IOException {
        home = new NodeHome(temp.newFolder("home").toPath());
    }

    @Test
    public void acquire_freeHome_writesPidToLockFile() throws IOException {
        try (NodeLock lock = NodeLock.acquire(home)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(home.lockFile()));
        }
    }

    @Test
    public void close_emptiesLockFile() throws IOException {
        NodeLock.acquire(home).close();

        assertEquals("", Files.readString(home.lockFile()));
    }

    @Test
    public void holder_lockedByThisProcess_returnsItsPid() throws IOException {
        try (NodeLock lock = NodeLock.acquire(home)) {
            assertEquals(ProcessHandle.current().pid(), NodeLock.holder(home).getAsLong());
        }
        assertTrue("no holder after close", NodeLock.holder(home).isEmpty());
    }

    @Test
    public void acquire_homeAlreadyLocked_throwsNamingTheHome() throws IOException {
        try (NodeLock first = NodeLock.acquire(home)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> NodeLock.acquire(home));

            assertTrue(e.getMessage(), e.getMessage().startsWith("Another node is already running at " + home));
        }
    }

    @Test
    public void acquire_otherNodeOfSameHome_succeeds() throws IOException {
        NodeHome second = new NodeHome(home.dir(), 2);

        try (NodeLock first = NodeLock.acquire(home); NodeLock other = NodeLock.acquire(second)) {
            assertTrue(Files.exists(second.lockFile()));
        }
    }

    @Test
    public void acquire_afterClose_succeedsAgain() throws IOException {
        NodeLock.acquire(home).close();

        try (NodeLock again = NodeLock.acquire(home)) {
            assertTrue(Files.exists(home.lockFile()));
        }
    }
}
