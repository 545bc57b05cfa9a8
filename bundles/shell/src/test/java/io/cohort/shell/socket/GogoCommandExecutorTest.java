package io.cohort.shell.socket;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Running command lines through the real Gogo runtime, outside a framework. */
public class GogoCommandExecutorTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
    private final GogoCommandExecutor executor = new GogoCommandExecutor(processor);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Before
    public void registerCommands() {
        threadIO.start();
        TestCommands commands = new TestCommands();
        for (String function : List.of("hello", "nothing", "invalid", "broken", "unsupported", "list")) {
            processor.addCommand("test", commands, function);
        }
    }

    @After
    public void stopGogo() {
        processor.stop();
        threadIO.stop();
    }

    @Test
    public void execute_stringResult_printsItWithStatusZero() {
        int status = executor.execute("test:hello world", out, err);

        assertEquals(0, status);
        assertEquals("Hello, world\n", text(out));
    }

    @Test
    public void execute_nullResult_printsNothing() {
        int status = executor.execute("test:nothing", out, err);

        assertEquals(0, status);
        assertEquals("", text(out));
    }

    @Test
    public void execute_listResult_printsInspectFormat() {
        executor.execute("test:list", out, err);

        assertEquals("a\nb\n", text(out));
    }

    @Test
    public void execute_illegalArgument_printsMessageOnly() {
        int status = executor.execute("test:invalid", out, err);

        assertEquals(1, status);
        assertEquals("name 'x y' is invalid\n", text(err));
    }

    @Test
    public void execute_illegalState_printsMessageOnly() {
        int status = executor.execute("test:broken", out, err);

        assertEquals(1, status);
        assertEquals("store is down\n", text(err));
    }

    @Test
    public void execute_otherException_printsClassAndMessage() {
        int status = executor.execute("test:unsupported", out, err);

        assertEquals(1, status);
        assertEquals("java.lang.UnsupportedOperationException: not here\n", text(err));
    }

    @Test
    public void execute_missingArgument_pointsToHelp() {
        int status = executor.execute("test:hello", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for test:hello: missing, extra or unknown options; run 'help test:hello' "
                + "for its arguments\n", text(err));
    }

    @Test
    public void execute_unknownCommand_printsGogoMessage() {
        int status = executor.execute("test:missing", out, err);

        assertEquals(1, status);
        assertEquals("Command not found: test:missing\n", text(err));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }

    /** Commands with each kind of outcome. */
    public static final class TestCommands {

        public String hello(String name) {
            return "Hello, " + name;
        }

        public void nothing() {
        }

        public List<String> list() {
            return List.of("a", "b");
        }

        public String invalid() {
            throw new IllegalArgumentException("name 'x y' is invalid");
        }

        public String broken() {
            throw new IllegalStateException("store is down");
        }

        public String unsupported() {
            throw new UnsupportedOperationException("not here");
        }
    }
}
