package io.cohort.launcher;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class CommandLineTest {

    /** Arguments that Gogo would split, expand or reject if they were sent without quotes. */
    private static final List<String> SPECIAL_ARGUMENTS = List.of(
            "two words", "tab\there", "line\nbreak", "", " ", "quote\"inside", "back\\slash", "\\", "trailing\\",
            "$HOME", "${name}", "50%", "%(1+2)", "it's", "'", "''", "'quoted'", "a;b", "a|b", "a&b", "(a)", "[a]",
            "{a}", "<a>", "#comment", "*", "?", "=", "a=b", "~", "~/file", "`tick`", "!bang", "^caret", "é €",
            "{\"json\": [1, 2], \"it's\": \"$5\"}", "{\"a\":1,\"b\":2}", "{a,b}", "x{1,2}y");

    /** Arguments made only of characters that Gogo takes literally. */
    private static final List<String> PLAIN_ARGUMENTS = List.of(
            "cohort:info", "starter", "-x", "--flag", "a,b", "user@host", "/tmp/file.txt", "1.5", "a+b", "é", "x_y");

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    private ThreadIOImpl threadIo;
    private CommandSession session;

    @Before
    public void startGogo() {
        threadIo = new ThreadIOImpl();
        threadIo.start();
        CommandProcessorImpl processor = new CommandProcessorImpl(threadIo);
        processor.addCommand("test", new Recorder(), "args");
        session = processor.createSession(System.in, System.out, System.err);
    }

    @After
    public void stopGogo() {
        session.close();
        threadIo.stop();
    }

    @Test
    public void quote_plainArgument_returnsItUnchanged() {
        for (String argument : PLAIN_ARGUMENTS) {
            assertEquals(argument, CommandLine.quote(argument));
        }
    }

    @Test
    public void quote_whitespace_wrapsInSingleQuotes() {
        assertEquals("'two words'", CommandLine.quote("two words"));
    }

    @Test
    public void quote_emptyArgument_returnsEmptyQuotes() {
        assertEquals("''", CommandLine.quote(""));
    }

    @Test
    public void quote_expansionCharacters_keptLiterally() {
        assertEquals("'$HOME %(1) \\ \" {a,b}'", CommandLine.quote("$HOME %(1) \\ \" {a,b}"));
    }

    @Test
    public void quote_singleQuote_writesItOutsideTheSingleQuotes() {
        assertEquals("'it'\\''s'", CommandLine.quote("it's"));
    }

    @Test
    public void join_eachSpecialArgument_reachesGogoCommandUnchanged() throws Exception {
        for (String argument : SPECIAL_ARGUMENTS) {
            String line = CommandLine.join(List.of("test:args", argument));

            Object received = session.execute(line);

            assertEquals("command line " + line, List.of(argument), received);
        }
    }

    @Test
    public void join_plainArguments_reachGogoCommandUnchanged() throws Exception {
        for (String argument : PLAIN_ARGUMENTS) {
            String line = CommandLine.join(List.of("test:args", argument));

            Object received = session.execute(line);

            assertEquals("command line " + line, List.of(argument), received);
        }
    }

    @Test
    public void join_allArgumentsInOneLine_reachGogoCommandInOrder() throws Exception {
        List<String> arguments = new ArrayList<>(SPECIAL_ARGUMENTS);
        arguments.addAll(PLAIN_ARGUMENTS);
        List<String> commandAndArguments = new ArrayList<>(List.of("test:args"));
        commandAndArguments.addAll(arguments);

        Object received = session.execute(CommandLine.join(commandAndArguments));

        assertEquals(arguments, received);
    }

    /** A Gogo command that returns the arguments it received. */
    public static final class Recorder {

        public List<String> args(String[] arguments) {
            return Arrays.asList(arguments);
        }
    }
}
