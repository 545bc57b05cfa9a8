package io.cohort.shell.socket;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/**
 * Runs a command line in a new Gogo session. A result that is not null is printed to standard output as Gogo
 * formats it for inspection. A failure prints its message to standard error: only the message for an
 * {@link IllegalArgumentException} (bad input, unknown command) or an {@link IllegalStateException} (a service that
 * is not running), the exception class and message otherwise.
 */
final class GogoCommandExecutor implements CommandExecutor {

    /** The start of Gogo's message when the arguments fit no method of the command. */
    static final String GOGO_NO_MATCHING_METHOD = "Cannot coerce ";

    private final CommandProcessor processor;

    GogoCommandExecutor(CommandProcessor processor) {
        this.processor = processor;
    }

    @Override
    public int execute(String commandLine, OutputStream out, OutputStream err) {
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(InputStream.nullInputStream(), stdout, stderr);
        try {
            Object result = session.execute(commandLine);
            if (result != null) {
                printLine(stdout, session.format(result, Converter.INSPECT));
            }
            return Frames.STATUS_OK;
        } catch (IllegalArgumentException e) {
            printLine(stderr, describe(commandLine, e));
            return Frames.STATUS_FAILED;
        } catch (IllegalStateException e) {
            printLine(stderr, e.getMessage() == null ? e.getClass().getName() : e.getMessage());
            return Frames.STATUS_FAILED;
        } catch (Exception e) {
            printLine(stderr, e.getClass().getName() + ": " + e.getMessage());
            return Frames.STATUS_FAILED;
        } finally {
            session.close();
            stdout.flush();
            stderr.flush();
        }
    }

    /**
     * Returns the message of a rejected command. Gogo reports arguments that fit no method of the command as
     * "Cannot coerce ...", which names Java types, so that case becomes a pointer to the command's help.
     */
    static String describe(String commandLine, IllegalArgumentException e) {
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getName();
        }
        if (message.startsWith(GOGO_NO_MATCHING_METHOD)) {
            String command = commandLine.strip().split("\\s+", 2)[0];
            return "invalid arguments for " + command + ": missing, extra or unknown options; run 'help " + command
                    + "' for its arguments";
        }
        return message;
    }

    /** Prints {@code text}, adding a line break unless it already ends with one. */
    private static void printLine(PrintStream stream, CharSequence text) {
        String value = String.valueOf(text);
        stream.print(value.endsWith("\n") ? value : value + "\n");
    }
}
