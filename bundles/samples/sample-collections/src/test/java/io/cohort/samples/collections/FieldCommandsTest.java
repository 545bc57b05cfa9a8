package io.cohort.samples.collections;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** How the real Gogo runtime matches the arguments of the field commands. */
public class FieldCommandsTest {

    /** The start of Gogo's message when the arguments fit no method of the command. */
    private static final String NO_MATCHING_METHOD = "Cannot coerce ";

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
    private CommandSession session;

    @Before
    public void registerCommands() {
        threadIO.start();
        processor.addCommand("collections", new FieldCommands.AddField(), "add-field");
        processor.addCommand("collections", new FieldCommands.RemoveField(), "remove-field");
        session = processor.createSession(InputStream.nullInputStream(), System.out, System.err);
    }

    @After
    public void stopGogo() {
        session.close();
        processor.stop();
        threadIO.stop();
    }

    @Test(timeout = 10_000)
    public void wrongArgumentCount_rejectedByGogo() {
        List<String> lines = List.of("collections:add-field", "collections:add-field catalog title",
                "collections:add-field catalog title text extra", "collections:remove-field",
                "collections:remove-field catalog", "collections:remove-field catalog title extra");

        for (String line : lines) {
            IllegalArgumentException e = assertThrows(line, IllegalArgumentException.class,
                    () -> session.execute(line));
            assertTrue(line + ": " + e.getMessage(), e.getMessage().startsWith(NO_MATCHING_METHOD));
        }
    }
}
