package io.cohort.jdbc;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures the lines that the tests' SLF4J simple logger prints. slf4j-simple 2.0 looks up {@code System.err} at each
 * call unless {@code cacheOutputStream} is set, so replacing the stream while an action runs captures its lines.
 */
final class LogCapture {

    /** An action that may throw, such as a component's activate method. */
    interface Action {
        void run() throws Exception;
    }

    private LogCapture() {
    }

    /** Runs {@code action} and returns what any thread printed to {@code System.err} meanwhile. */
    static String capture(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    /** Returns the lines of {@code log} that contain {@code text}. */
    static List<String> linesWith(String log, String text) {
        return log.lines().filter(line -> line.contains(text)).toList();
    }
}
