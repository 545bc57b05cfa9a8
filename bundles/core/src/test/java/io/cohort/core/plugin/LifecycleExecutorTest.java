package io.cohort.core.plugin;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** How long {@link LifecycleExecutor#executeAndWait} waits for a step that does not finish. */
public class LifecycleExecutorTest {

    private static final Duration STALL_LIMIT = Duration.ofMillis(200);

    @Rule
    public Timeout timeout = Timeout.seconds(20);

    private final LifecycleExecutor executor = new LifecycleExecutor("test-lifecycle",
            /* waitWarning= */ Duration.ofSeconds(10), STALL_LIMIT);
    private final CountDownLatch release = new CountDownLatch(1);

    @After
    public void releaseAndClose() {
        release.countDown();
        executor.close(Duration.ofSeconds(5));
    }

    @Test
    public void executeAndWait_stepStallsOutsidePluginCall_stopsWaiting() {
        executor.execute("stuck step", this::awaitRelease);

        boolean finished = executor.executeAndWait("next step", () -> { });

        assertFalse(finished);
    }

    @Test
    public void executeAndWait_afterGivingUp_stepRunsLater() {
        AtomicBoolean ran = new AtomicBoolean();
        executor.execute("stuck step", this::awaitRelease);
        executor.executeAndWait("next step", () -> ran.set(true));

        release.countDown();

        await().atMost(Duration.ofSeconds(5)).untilTrue(ran);
    }

    @Test
    public void executeAndWait_duringLongPluginCall_keepsWaiting() throws Exception {
        executor.execute("plugin call", () -> {
            executor.pluginCallStarted();
            awaitRelease();
            executor.pluginCallEnded();
        });
        AtomicBoolean finished = new AtomicBoolean();
        Thread waiter = new Thread(() -> finished.set(executor.executeAndWait("next step", () -> { })),
                "test-waiter");
        waiter.start();

        await().during(STALL_LIMIT.multipliedBy(3)).atMost(Duration.ofSeconds(5)).until(waiter::isAlive);
        release.countDown();
        waiter.join(5_000);

        assertTrue(finished.get());
    }

    private void awaitRelease() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
