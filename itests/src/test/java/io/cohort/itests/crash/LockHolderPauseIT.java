package io.cohort.itests.crash;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cohort.itests.crash.ProcessNode.ClientResult;
import io.cohort.itests.crash.plugin.CrashPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Pauses the node that holds a lock (SIGSTOP) for longer than its CP session ttl, with three CP members running Raft.
 * Another node then gets the key, and once the paused node runs again (SIGCONT) its handle no longer counts as held
 * and {@code lock:list} shows one holder only.
 */
public class LockHolderPauseIT {

    private static final int FIRST_PORT = 5985;
    private static final String KEY = "pause.lock";
    private static final int SESSION_TTL_SECONDS = 5;

    /** How long {@code crash:acquire} waits: the session ttl, Raft's check for expired sessions and some slack. */
    private static final Duration ACQUIRE_WAIT = Duration.ofSeconds(25);

    private static final Pattern HELD = Pattern.compile("held " + Pattern.quote(KEY) + " token (\\d+)");
    private static final Pattern ACQUIRED = Pattern.compile("acquired " + Pattern.quote(KEY) + " token (\\d+)");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 150_000)
    public void lock_holderPaused_handleLost() throws Exception {
        Path pluginJar = CrashPluginBundle.build(temp.newFolder("plugin").toPath());
        Map<String, String> memberSettings = Map.of(
                "cp.member.count", "3",
                "cp.session.ttl.seconds", String.valueOf(SESSION_TTL_SECONDS),
                "cp.heartbeat.seconds", "1",
                "shutdown.graceful", "false");
        try (ProcessCluster cluster = new ProcessCluster(temp.newFolder("nodes").toPath(), FIRST_PORT, 3,
                memberSettings)) {
            cluster.start();
            cluster.deploy(pluginJar, CrashPlugin.NAME);
            ProcessNode holder = cluster.node(0);
            ProcessNode next = cluster.node(1);
            ClientResult hold = holder.client("crash:hold", KEY);
            Matcher grant = HELD.matcher(hold.stdout());
            assertTrue(hold.describe(), grant.find());
            String holderToken = grant.group(1);

            ClientResult acquire;
            holder.signal("STOP");
            try {
                acquire = next.client("crash:acquire", KEY, String.valueOf(ACQUIRE_WAIT.toMillis()));
            } finally {
                holder.signal("CONT");
            }

            Matcher acquired = ACQUIRED.matcher(acquire.stdout());
            assertTrue(acquire.describe(), acquired.find());
            assertTrue(Long.parseLong(acquired.group(1)) > Long.parseLong(holderToken));
            ClientResult check = holder.client("crash:held", KEY);
            assertEquals(check.describe(), 0, check.status());
            assertTrue(check.describe(), check.stdout().contains(KEY + " token " + holderToken + " held=false"));
            ClientResult list = holder.client("lock:list");
            assertEquals(list.describe(), 0, list.status());
            assertFalse(list.describe(), list.stdout().contains(KEY));
        }
    }
}
