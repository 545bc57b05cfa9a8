package io.cohort.shell.socket;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import io.cohort.shell.CacheCommands;
import io.cohort.shell.NodeCommands;
import io.cohort.shell.QueueCommands;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.gogo.shell.Posix;
import org.apache.felix.gogo.shell.Procedural;
import org.apache.felix.service.command.Parameter;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * Running command lines through the real Gogo runtime, outside a framework, with the {@code grep}, {@code echo} and
 * {@code each} commands of the Gogo shell that a node runs.
 */
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
        for (String function : List.of("hello", "greet", "nothing", "invalid", "broken", "unsupported", "list",
                "interrupted")) {
            processor.addCommand("test", commands, function);
        }
        CacheCommands cacheCommands = new CacheCommands();
        processor.addCommand("cache", cacheCommands, "set");
        processor.addCommand("cache", cacheCommands, "del");
        processor.addCommand("queue", new QueueCommands(), "retry");
        processor.addCommand("test", new MainCommand(), "add-field");
        NodeCommands nodeCommands = new NodeCommands();
        processor.addCommand("cohort", nodeCommands, "info");
        processor.addCommand("cohort", nodeCommands, "plugins");
        Posix posix = new Posix();
        processor.addCommand("gogo", posix, "grep");
        processor.addCommand("gogo", posix, "echo");
        processor.addCommand("gogo", new Procedural(), "each");
    }

    @After
    public void stopGogo() throws InterruptedException {
        processor.stop();
        GogoStreams.stopAfterSessions(threadIO);
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
    public void execute_interrupted_printsNodeStopping() {
        int status = executor.execute("test:interrupted", out, err);
        boolean flagRestored = Thread.interrupted();

        assertEquals(1, status);
        assertEquals("command interrupted: the node is stopping\n", text(err));
        assertTrue("the interrupt flag is set again", flagRestored);
    }

    @Test
    public void execute_missingArgument_printsUsage() {
        int status = executor.execute("test:hello", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for test:hello; usage:\n  test:hello <name>\nrun 'help test:hello' for "
                + "what each argument means\n", text(err));
    }

    @Test
    public void execute_overloadedMissing_printsEveryUsage() {
        int status = executor.execute("cache:set c", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for cache:set; usage:\n"
                + "  cache:set [--json] <cache> <key> <value>\n"
                + "  cache:set [--json] <cache> <key> <value> <ttl>\n"
                + "run 'help cache:set' for what each argument means\n", text(err));
    }

    @Test
    public void execute_varargsMissing_marksRepeatedArgument() {
        int status = executor.execute("cache:del", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for cache:del; usage:\n  cache:del [--json] <cache> <key> <moreKeys>...\n"
                + "run 'help cache:del' for what each argument means\n", text(err));
    }

    @Test
    public void execute_varargsWithoutKey_printsUsage() {
        int status = executor.execute("cache:del users", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for cache:del; usage:\n  cache:del [--json] <cache> <key> <moreKeys>...\n"
                + "run 'help cache:del' for what each argument means\n", text(err));
    }

    @Test
    public void execute_invalidArgumentsException_printsReasonAndUsage() {
        int status = executor.execute("queue:retry jobs", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for queue:retry: give task ids or --all; usage:\n"
                + "  queue:retry [--all] [--json] <channel> <taskIds>...\n"
                + "run 'help queue:retry' for what each argument means\n", text(err));
    }

    @Test
    public void execute_mainMissingArgument_printsUsageWithoutHelp() {
        int status = executor.execute("test:add-field catalog", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for test:add-field; usage:\n  test:add-field <collection> <field>\n",
                text(err));
    }

    @Test
    public void execute_mainArguments_passedAfterCommandName() {
        int status = executor.execute("test:add-field catalog title", out, err);

        assertEquals(0, status);
        assertEquals("add-field catalog.title\n", text(out));
    }

    @Test
    public void execute_misspeltOption_namesItAndTheOptions() {
        int status = executor.execute("cohort:info --jsn", out, err);

        assertEquals(1, status);
        assertEquals("unknown option '--jsn' for cohort:info; expected --json (run 'help cohort:info' for its "
                + "arguments)\n", text(err));
    }

    @Test
    public void execute_unknownOptionBeforeArgument_namesEveryOption() {
        int status = executor.execute("test:greet --lod world", out, err);

        assertEquals(1, status);
        assertEquals("unknown option '--lod' for test:greet; expected --loud, --prefix, -l (run 'help test:greet' "
                + "for its arguments)\n", text(err));
    }

    @Test
    public void execute_unknownOptionWithoutScope_namesIt() {
        int status = executor.execute("greet -x world", out, err);

        assertEquals(1, status);
        assertEquals("unknown option '-x' for greet; expected --loud, --prefix, -l (run 'help greet' for its "
                + "arguments)\n", text(err));
    }

    @Test
    public void execute_unknownOptionInPipeline_namesIt() {
        int status = executor.execute("test:hello A | cohort:plugins --jason", out, err);

        assertEquals(1, status);
        assertEquals("unknown option '--jason' for cohort:plugins; expected --json (run 'help cohort:plugins' for "
                + "its arguments)\n", text(err));
    }

    @Test
    public void execute_optionWithEqualsSign_showsSpacedForm() {
        int status = executor.execute("test:greet --prefix=Hi world", out, err);

        assertEquals(1, status);
        assertEquals("option '--prefix=Hi' for test:greet takes its value as the next word: write '--prefix Hi'\n",
                text(err));
    }

    @Test
    public void execute_quotedOptionValue_showsSpacedForm() {
        int status = executor.execute("test:greet '--prefix=Hi' world", out, err);

        assertEquals(1, status);
        assertEquals("option '--prefix=Hi' for test:greet takes its value as the next word: write '--prefix Hi'\n",
                text(err));
    }

    @Test
    public void execute_flagWithValue_showsFlagAlone() {
        int status = executor.execute("test:greet --loud=true world extra", out, err);

        assertEquals(1, status);
        assertEquals("option '--loud' for test:greet takes no value: write '--loud' instead of '--loud=true'\n",
                text(err));
    }

    @Test
    public void execute_optionGivenTwice_namesIt() {
        int status = executor.execute("test:greet --prefix Hi --prefix Hey world", out, err);

        assertEquals(1, status);
        assertEquals("option '--prefix' for test:greet is given more than once; give each option once\n",
                text(err));
    }

    @Test
    public void execute_optionAliasTwice_namesIt() {
        int status = executor.execute("test:greet --loud -l world extra", out, err);

        assertEquals(1, status);
        assertEquals("option '-l' for test:greet is given more than once; give each option once\n", text(err));
    }

    @Test
    public void execute_knownOptionsMissingArgument_printsUsage() {
        int status = executor.execute("test:greet --loud", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for test:greet; usage:\n  test:greet [--loud | -l] [--prefix <value>] "
                + "<name>\nrun 'help test:greet' for what each argument means\n", text(err));
    }

    @Test
    public void execute_negativeNumber_isNoOption() {
        int status = executor.execute("test:greet --loud -5 -6", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for test:greet; usage:\n  test:greet [--loud | -l] [--prefix <value>] "
                + "<name>\nrun 'help test:greet' for what each argument means\n", text(err));
    }

    @Test
    public void execute_knownOptions_run() {
        int status = executor.execute("test:greet -l --prefix Hi world", out, err);

        assertEquals(0, status);
        assertEquals("HI, WORLD\n", text(out));
    }

    @Test
    public void execute_unknownCommand_printsGogoMessage() {
        int status = executor.execute("test:missing", out, err);

        assertEquals(1, status);
        assertEquals("Command not found: test:missing\n", text(err));
    }

    @Test
    public void execute_twoStatements_printsEachResultInOrder() {
        int status = executor.execute("test:hello A; test:hello B", out, err);

        assertEquals(0, status);
        assertEquals("Hello, A\nHello, B\n", text(out));
    }

    @Test
    public void execute_lineBreaks_separateStatements() {
        int status = executor.execute("test:hello A\ntest:hello B\n", out, err);

        assertEquals(0, status);
        assertEquals("Hello, A\nHello, B\n", text(out));
    }

    @Test
    public void execute_variableSetByStatement_seenByNext() {
        int status = executor.execute("name = world; test:hello $name", out, err);

        assertEquals(0, status);
        assertEquals("world\nHello, world\n", text(out));
    }

    @Test
    public void execute_commandOutput_keepsOrderWithResults() {
        executor.execute("test:hello A; echo B; test:hello C", out, err);

        assertEquals("Hello, A\nB\nHello, C\n", text(out));
    }

    @Test
    public void execute_failingStatement_stopsWithItsError() {
        int status = executor.execute("test:hello A; test:invalid; test:hello B", out, err);

        assertEquals(1, status);
        assertEquals("Hello, A\n", text(out));
        assertEquals("name 'x y' is invalid\n", text(err));
    }

    @Test
    public void execute_laterMissingArgument_namesThatCommand() {
        int status = executor.execute("test:nothing; test:hello", out, err);

        assertEquals(1, status);
        assertEquals("invalid arguments for test:hello; usage:\n  test:hello <name>\nrun 'help test:hello' for "
                + "what each argument means\n", text(err));
    }

    @Test
    public void execute_separatorInQuotes_staysInArgument() {
        executor.execute("test:hello 'A; B'; test:hello \"C; D\"", out, err);

        assertEquals("Hello, A; B\nHello, C; D\n", text(out));
    }

    @Test
    public void execute_separatorInParentheses_staysInStatement() {
        executor.execute("test:hello (test:hello A; test:hello B)", out, err);

        assertEquals("Hello, Hello, B\n", text(out));
    }

    @Test
    public void execute_separatorInClosure_staysInStatement() {
        int status = executor.execute("each [A B] { test:nothing; test:hello $it }", out, err);

        assertEquals(0, status);
        assertEquals("Hello, A\nHello, B\n", text(out));
    }

    @Test
    public void execute_emptyStatements_areSkipped() {
        int status = executor.execute(";; test:hello A ;\n\n", out, err);

        assertEquals(0, status);
        assertEquals("Hello, A\n", text(out));
        assertEquals("", text(err));
    }

    @Test
    public void execute_blankLine_printsNothing() {
        int status = executor.execute(" ", out, err);

        assertEquals(0, status);
        assertEquals("", text(out));
    }

    @Test
    public void execute_grepMatches_printsLinesOnly() {
        int status = executor.execute("test:list | grep b", out, err);

        assertEquals(0, status);
        assertEquals("b\n", text(out));
    }

    @Test
    public void execute_grepNoMatch_failsSilently() {
        int status = executor.execute("test:list | grep z", out, err);

        assertEquals(1, status);
        assertEquals("", text(out));
        assertEquals("", text(err));
    }

    @Test
    public void execute_grepNoMatchNotLast_goesOn() {
        int status = executor.execute("test:list | grep z; test:hello A", out, err);

        assertEquals(0, status);
        assertEquals("Hello, A\n", text(out));
    }

    @Test
    public void execute_andOperator_runsAsOneStatement() {
        int status = executor.execute("test:hello A && test:hello B", out, err);

        assertEquals(0, status);
        assertEquals("Hello, B\n", text(out));
    }

    @Test
    public void execute_unclosedQuote_printsGogoSyntaxError() {
        int status = executor.execute("test:hello A; test:hello 'B", out, err);

        assertEquals(1, status);
        assertEquals("", text(out));
        assertEquals("invalid command line: unexpected EOT looking for matching quote: '\n", text(err));
    }

    @Test
    public void statements_separatorsAndOperators_splitAtSeparatorsOnly() {
        List<String> statements = GogoCommandExecutor.statements("a x && b; c | d\ne > f ; g & \n")
                .stream().map(CharSequence::toString).toList();

        assertEquals(List.of("a x && b", "c | d", "e > f ", "g & "), statements);
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }

    /** A command whose name is no Java identifier, which Gogo runs through {@code _main}. */
    public static final class MainCommand {

        public String _main(String command, String collection, String field) {
            return command + " " + collection + "." + field;
        }
    }

    /** Commands with each kind of outcome. */
    public static final class TestCommands {

        public String hello(String name) {
            return "Hello, " + name;
        }

        public String greet(
                @Parameter(names = {"--loud", "-l"}, presentValue = "true", absentValue = "false") boolean loud,
                @Parameter(names = "--prefix", absentValue = "Hello") String prefix,
                String name) {
            String greeting = prefix + ", " + name;
            return loud ? greeting.toUpperCase(Locale.ROOT) : greeting;
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

        public String interrupted() throws InterruptedException {
            throw new InterruptedException();
        }
    }
}
