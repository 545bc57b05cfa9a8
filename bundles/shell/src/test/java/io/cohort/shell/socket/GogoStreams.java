package io.cohort.shell.socket;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;

/**
 * A test helper that stops Gogo's {@link ThreadIOImpl} only after Gogo's session threads ended.
 *
 * <p>A Gogo session runs each pipe of a command on a thread of its own and, when closed, does not wait for that
 * thread. At its end the thread checks {@code System.out} and sets Gogo's stream again if it finds another one. So a
 * pipe that ends after {@link ThreadIOImpl#stop()} leaves Gogo's stream in {@code System.out}, and every later
 * {@link ThreadIOImpl#start()} in the test JVM fails with "Thread Print Stream already set".
 */
final class GogoStreams {

    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private GogoStreams() {
    }

    /**
     * Waits until no Gogo session thread is alive, then stops {@code threadIO}.
     *
     * @throws AssertionError if a session thread still runs after 5 s, naming it
     */
    static void stopAfterSessions(ThreadIOImpl threadIO) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        // Listed again after each join, because a session can start a thread after a listing.
        List<Thread> running = sessionThreads();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            running.get(0).join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            running = sessionThreads();
        }
        threadIO.stop();
        if (!running.isEmpty()) {
            throw new AssertionError("Gogo session threads still running 5 s after the test: " + running);
        }
    }

    /** Returns the live threads of Gogo's session pools, which Gogo names {@code session-N-thread-M}. */
    private static List<Thread> sessionThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("session-") && thread.getName().contains("-thread-"))
                .toList();
    }
}
