package io.cohort.hazelcast;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what the test's SLF4J simple logger prints. slf4j-simple 2.0 looks up {@code System.err} at each log call
 * unless {@code cacheOutputStream} is set, so replacing the stream during an action captures the action's log lines.
 */
final class StandardError {

    private StandardError() {
    }

    /** Runs {@code action} and returns what was printed to {@code System.err} meanwhile, from any thread. */
    static String capture(Runnable action) {
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

    /** Returns the first line of {@code log} that contains {@code text}, failing the test when none does. */
    static String lineWith(String log, String text) {
        return log.lines().filter(line -> line.contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with '" + text + "' in:\n" + log));
    }

    /** Returns the message of a simple logger line, the text after the logger name, which may contain the PID. */
    static String message(String line) {
        int start = line.indexOf(" - ");
        if (start < 0) {
            throw new AssertionError("not a log line: " + line);
        }
        return line.substring(start + 3);
    }

    /** Returns how often {@code part} occurs in {@code text}. */
    static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
