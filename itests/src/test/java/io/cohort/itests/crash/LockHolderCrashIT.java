package io.cohort.itests.crash;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cohort.itests.crash.ProcessNode.ClientResult;
import io.cohort.itests.crash.plugin.CrashPlugin;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Kills the node that holds a lock with SIGKILL, with the lock adapter {@code hazelcast} in Raft mode (three CP
 * members), and checks that another node gets the lock once the dead holder's CP session expires, with a larger
 * fence token.
 *
 * <p>Killing one of three CP members leaves a majority of two, so the CP groups keep working.
 */
public class LockHolderCrashIT {

    private static final int FIRST_PORT = 5974;
    private static final String KEY = "crash.lock";
    private static final int SESSION_TTL_SECONDS = 5;
    private static final int HEARTBEAT_SECONDS = 1;

    /**
     * Time the test allows beyond the session ttl. It covers the start of the client JVM, the Raft leader election
     * when the killed node led a CP group, and the period of Hazelcast's check for expired sessions. It also covers
     * the 500 ms slices in which the lock adapter waits.
     */
    private static final Duration SLACK = Duration.ofSeconds(10);

    /** How long {@code crash:acquire} waits, below the 30 s after which the node ends a client request. */
    private static final Duration ACQUIRE_WAIT = Duration.ofSeconds(25);

    private static final Pattern HELD = Pattern.compile("held " + Pattern.quote(KEY) + " token (\\d+)");
    private static final Pattern ACQUIRED = Pattern.compile("acquired " + Pattern.quote(KEY)
            + " token (\\d+) after (\\d+) ms");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test(timeout = 150_000)
    public void lock_holderKilled_freedAfterSessionTtl() throws Exception {
        long testStart = System.nanoTime();
        Path pluginJar = CrashPluginBundle.build(temp.newFolder("plugin").toPath());
        Map<String, String> memberSettings = Map.of(
                "cp.member.count", "3",
                "cp.session.ttl.seconds", String.valueOf(SESSION_TTL_SECONDS),
                "cp.heartbeat.seconds", String.valueOf(HEARTBEAT_SECONDS),
                // A graceful stop of a CP member waits until Raft removes it from its groups. That cannot finish once
                // too few members are left, so the members stop at once on SIGTERM instead.
                "shutdown.graceful", "false");
        try (ProcessCluster cluster = new ProcessCluster(temp.newFolder("nodes").toPath(), FIRST_PORT, 3,
                memberSettings)) {
            cluster.start();
            cluster.deploy(pluginJar, CrashPlugin.NAME);
            ProcessNode holder = cluster.node(0);
            ProcessNode next = cluster.node(1);

            ClientResult hold = holder.client("crash:hold", KEY);
            assertEquals(hold.describe(), 0, hold.status());
            Matcher held = HELD.matcher(hold.stdout());
            assertTrue(hold.describe(), held.find());
            long holderToken = Long.parseLong(held.group(1));
            ClientResult busy = next.client("crash:acquire", KEY, "0");
            assertNotEquals("the key must be held while its holder runs\n" + busy.describe(), 0, busy.status());

            long killStart = System.nanoTime();
            assertEquals(holder + " exit status", ProcessNode.SIGKILL_EXIT_STATUS, holder.kill());
            ClientResult acquire = next.client("crash:acquire", KEY, String.valueOf(ACQUIRE_WAIT.toMillis()));
            long sinceKillMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killStart);

            assertEquals(acquire.describe(), 0, acquire.status());
            Matcher acquired = ACQUIRED.matcher(acquire.stdout());
            assertTrue(acquire.describe(), acquired.find());
            long nextToken = Long.parseLong(acquired.group(1));
            assertTrue("fence token of " + next + " (" + nextToken + ") must be larger than that of the killed "
                    + "holder (" + holderToken + ")", nextToken > holderToken);
            long maxMillis = Duration.ofSeconds(SESSION_TTL_SECONDS).plus(SLACK).toMillis();
            assertTrue("lock acquired " + sinceKillMillis + " ms after the kill; expected at most " + maxMillis
                    + " ms (session ttl + slack)", sinceKillMillis <= maxMillis);
            // The holder's last heartbeat came at most one heartbeat interval before the kill.
            long minMillis = Duration.ofSeconds(SESSION_TTL_SECONDS - HEARTBEAT_SECONDS).toMillis();
            assertTrue("lock acquired " + sinceKillMillis + " ms after the kill; the dead holder's session should "
                    + "keep it at least " + minMillis + " ms", sinceKillMillis >= minMillis);

            System.out.printf("Lock crash test: %s held %s with fence token %d and was killed; %s acquired it with "
                            + "fence token %d %d ms after the kill (it waited %s ms; session ttl %d s, heartbeat "
                            + "%d s); test took %d ms%n",
                    holder, KEY, holderToken, next, nextToken, sinceKillMillis, acquired.group(2),
                    SESSION_TTL_SECONDS, HEARTBEAT_SECONDS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - testStart));
        }
    }
}
