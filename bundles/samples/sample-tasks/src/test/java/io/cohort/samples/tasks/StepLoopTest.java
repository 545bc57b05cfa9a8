package io.cohort.samples.tasks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.cohort.api.queue.TaskCancelledException;

import org.junit.Test;

public class StepLoopTest {

    private static final Duration SHORT_STEP = Duration.ofMillis(1);

    @Test(timeout = 5_000)
    public void run_noCancel_reportsEveryStepFromTheStoredProgress() throws Exception {
        List<Integer> reported = new CopyOnWriteArrayList<>();

        StepLoop.Outcome outcome = StepLoop.run(2, 5, SHORT_STEP, new CancellationSignal(), new FakeTaskContext(),
                completed -> reported.add(completed) && false, "row");

        assertEquals(StepLoop.Outcome.DONE, outcome);
        assertEquals(List.of(3, 4, 5), reported);
    }

    @Test(timeout = 5_000)
    public void run_signalSetBeforeStart_runsNoStep() throws Exception {
        CancellationSignal signal = new CancellationSignal();
        signal.cancel("from node b");
        List<Integer> reported = new CopyOnWriteArrayList<>();

        StepLoop.Outcome outcome = StepLoop.run(0, 5, SHORT_STEP, signal, new FakeTaskContext(),
                completed -> reported.add(completed) && false, "row");

        assertEquals(StepLoop.Outcome.CANCELLED, outcome);
        assertEquals(List.of(), reported);
        assertEquals("from node b", signal.reason());
    }

    @Test(timeout = 10_000)
    public void run_signalSetDuringLongStep_stopsWithoutWaitingForTheStep() throws Exception {
        CancellationSignal signal = new CancellationSignal();
        CountDownLatch firstStepDone = new CountDownLatch(1);
        AtomicReference<StepLoop.Outcome> outcome = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                outcome.set(StepLoop.run(0, 3, Duration.ofMillis(50), signal, new FakeTaskContext(), completed -> {
                    if (completed == 1) {
                        firstStepDone.countDown();
                    }
                    return false;
                }, "row"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "step-loop-test");
        worker.start();
        assertTrue(firstStepDone.await(5, TimeUnit.SECONDS));

        signal.cancel("from node c");
        worker.join(5_000);

        assertFalse("worker still runs", worker.isAlive());
        assertEquals(StepLoop.Outcome.CANCELLED, outcome.get());
    }

    @Test(timeout = 5_000)
    public void run_rowAsksToCancel_stopsAfterThatStepWithTheRowReason() throws Exception {
        CancellationSignal signal = new CancellationSignal();
        List<Integer> reported = new CopyOnWriteArrayList<>();

        StepLoop.Outcome outcome = StepLoop.run(0, 10, SHORT_STEP, signal, new FakeTaskContext(),
                completed -> reported.add(completed) && completed == 2, "cancel requested in the row");

        assertEquals(StepLoop.Outcome.CANCELLED, outcome);
        assertEquals(List.of(1, 2), reported);
        assertEquals("cancel requested in the row", signal.reason());
    }

    @Test(timeout = 5_000)
    public void run_queueCancelledTheAttempt_throwsTaskCancelled() {
        FakeTaskContext context = new FakeTaskContext();
        context.cancel();

        assertThrows(TaskCancelledException.class, () -> StepLoop.run(0, 3, SHORT_STEP, new CancellationSignal(),
                context, completed -> false, "row"));
    }

    @Test(timeout = 5_000)
    public void run_interrupted_throwsTaskCancelledAndClearsTheFlag() {
        Thread.currentThread().interrupt();

        assertThrows(TaskCancelledException.class, () -> StepLoop.run(0, 3, Duration.ofSeconds(10),
                new CancellationSignal(), new FakeTaskContext(), completed -> false, "row"));
        assertFalse(Thread.interrupted());
    }

    @Test(timeout = 5_000)
    public void cancel_twice_keepsTheFirstReason() {
        CancellationSignal signal = new CancellationSignal();

        assertTrue(signal.cancel("first"));
        assertFalse(signal.cancel("second"));
        assertEquals("first", signal.reason());
    }
}
