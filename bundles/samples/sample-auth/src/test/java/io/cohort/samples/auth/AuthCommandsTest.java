package io.cohort.samples.auth;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** How the real Gogo runtime matches the arguments of {@code auth:policy}. */
public class AuthCommandsTest {

    /** The start of Gogo's message when the arguments fit no method of the command. */
    private static final String NO_MATCHING_METHOD = "Cannot coerce ";

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
    private CommandSession session;

    @Before
    public void registerCommands() {
        threadIO.start();
        processor.addCommand("auth", new AuthCommands(), "policy");
        session = processor.createSession(InputStream.nullInputStream(), System.out, System.err);
    }

    @After
    public void stopGogo() {
        session.close();
        processor.stop();
        threadIO.stop();
    }

    @Test(timeout = 10_000)
    public void policySet_noSetting_rejectedByGogo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> session.execute("auth:policy set"));

        assertTrue(e.getMessage(), e.getMessage().startsWith(NO_MATCHING_METHOD));
    }

    @Test(timeout = 10_000)
    public void policy_unknownAction_namesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> session.execute("auth:policy show token-ttl-minutes=5"));

        assertTrue(e.getMessage(), e.getMessage().startsWith("action 'show' is unknown"));
    }
}
