package io.cohort.shell.socket;

import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.cohort.shell.InvalidArgumentsException;

import org.apache.felix.gogo.runtime.CommandProxy;
import org.apache.felix.gogo.runtime.Parser;
import org.apache.felix.gogo.runtime.Parser.Executable;
import org.apache.felix.gogo.runtime.Parser.Operator;
import org.apache.felix.gogo.runtime.Parser.Pipeline;
import org.apache.felix.gogo.runtime.Parser.Program;
import org.apache.felix.gogo.runtime.Parser.Statement;
import org.apache.felix.gogo.runtime.Reflective;
import org.apache.felix.gogo.runtime.SyntaxError;
import org.apache.felix.gogo.runtime.Token;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Parameter;

/**
 * Runs a command line in a new Gogo session, one statement after the other.
 *
 * <p>Gogo's parser splits the line into statements at each {@code ;} and line break outside quotes, braces and
 * parentheses. Commands joined by {@code |}, {@code &&}, {@code ||} or {@code &} form one statement, which Gogo runs
 * as a whole and which returns the result of the last command that ran. Every statement runs in the same session, so
 * a variable that one statement sets is seen by the next.
 *
 * <p>A statement's result that is not null is printed to standard output as Gogo formats it for inspection, except a
 * {@link Boolean} (what Gogo's {@code grep} returns), which prints nothing. When the last statement's result is
 * {@code false}, such as a {@code grep} that matched nothing, the exit status is {@value Frames#STATUS_FAILED}, as
 * with a shell's {@code grep}.
 *
 * <p>The first statement that fails ends the line, so the later ones do not run, and its failure is printed to
 * standard error. Only the message is printed for an {@link IllegalArgumentException} (bad input, unknown command) or
 * an {@link IllegalStateException} (a service that is not running), the exception class and message otherwise.
 * An {@link InterruptedException} prints {@value #INTERRUPTED_MESSAGE}, because the command socket interrupts a
 * command only when the node stops or when the client left, and a client that left reads no output. The executor
 * then returns {@value Frames#STATUS_FAILED} with the thread's interrupt flag set again.
 */
final class GogoCommandExecutor implements CommandExecutor {

    /** The error printed for a command that ended with an {@link InterruptedException}. */
    static final String INTERRUPTED_MESSAGE = "command interrupted: the node is stopping";

    /** The start of Gogo's message when the arguments fit no method of the command. */
    static final String GOGO_NO_MATCHING_METHOD = "Cannot coerce ";

    /** The session variable through which Gogo returns the names of all commands, as {@code scope:function}. */
    private static final String GOGO_COMMANDS = ".commands";

    /** A word that Gogo would take for an option name: one or two dashes and a letter, which rules out numbers. */
    private static final Pattern OPTION = Pattern.compile("--?[A-Za-z].*");

    private final CommandProcessor processor;

    GogoCommandExecutor(CommandProcessor processor) {
        this.processor = processor;
    }

    @Override
    public int execute(String commandLine, OutputStream out, OutputStream err) {
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(InputStream.nullInputStream(), stdout, stderr);
        CharSequence statement = commandLine;
        boolean interrupted = false;
        try {
            Object result = null;
            for (CharSequence next : statements(commandLine)) {
                statement = next;
                result = session.execute(statement);
                if (result != null && !(result instanceof Boolean)) {
                    printLine(stdout, session.format(result, Converter.INSPECT));
                }
            }
            return Boolean.FALSE.equals(result) ? Frames.STATUS_FAILED : Frames.STATUS_OK;
        } catch (IllegalArgumentException e) {
            printLine(stderr, describe(session, statement, e));
            return Frames.STATUS_FAILED;
        } catch (IllegalStateException e) {
            printLine(stderr, e.getMessage() == null ? e.getClass().getName() : e.getMessage());
            return Frames.STATUS_FAILED;
        } catch (EOFException | SyntaxError e) {
            // Gogo reports an unclosed quote or bracket as an EOFException, other parse errors as a SyntaxError.
            printLine(stderr, "invalid command line: " + e.getMessage());
            return Frames.STATUS_FAILED;
        } catch (InterruptedException e) {
            interrupted = true;
            printLine(stderr, INTERRUPTED_MESSAGE);
            return Frames.STATUS_FAILED;
        } catch (Exception e) {
            printLine(stderr, e.getClass().getName() + ": " + e.getMessage());
            return Frames.STATUS_FAILED;
        } finally {
            session.close();
            stdout.flush();
            stderr.flush();
            if (interrupted) {
                // Set only after the output is flushed, since a write on an interrupted thread closes the socket.
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Splits {@code commandLine} with Gogo's own parser into the statements that the executor runs one by one. Each
     * statement is a {@link Program} that keeps Gogo's parse of its part of the line. The session of Gogo runtime
     * 1.1.6 runs a {@code Program} as it is, and would otherwise parse its text, which is the statement's source.
     * Empty statements, such as the one after a trailing {@code ;}, are left out. A line that Gogo cannot parse is
     * returned whole, so that running it reports Gogo's syntax error.
     */
    static List<CharSequence> statements(String commandLine) {
        Program program;
        try {
            program = new Parser(commandLine).program();
        } catch (SyntaxError e) {
            return List.of(commandLine);
        }
        List<CharSequence> statements = new ArrayList<>();
        List<Executable> parts = new ArrayList<>();
        for (Executable executable : program.tokens()) {
            if (isSeparator(executable)) {
                addStatement(statements, program, parts, executable.start());
                parts = new ArrayList<>();
            } else {
                parts.add(executable);
            }
        }
        addStatement(statements, program, parts, program.start() + program.length());
        return statements;
    }

    /** Returns whether {@code executable} ends a statement: a {@code ;} or a line break. */
    private static boolean isSeparator(Executable executable) {
        return executable instanceof Operator && (Token.eq(";", executable) || Token.eq("\n", executable));
    }

    /**
     * Adds the statement made of {@code parts}, unless every part is empty. Its source text runs from its first part
     * to {@code end}, the position in the whole line where the separator after it starts, so that it keeps the
     * redirections of its last part.
     */
    private static void addStatement(List<CharSequence> statements, Program line, List<Executable> parts, int end) {
        if (parts.stream().allMatch(GogoCommandExecutor::isEmpty)) {
            return;
        }
        Token source = line.subSequence(parts.get(0).start() - line.start(), end - line.start());
        statements.add(new Program(source, List.copyOf(parts)));
    }

    /** Returns whether {@code executable} is a statement without words and without redirections. */
    private static boolean isEmpty(Executable executable) {
        return executable instanceof Statement statement && statement.tokens().isEmpty()
                && statement.redirections().isEmpty();
    }

    /**
     * Returns the message of a rejected command. Gogo reports arguments that fit no method of the command as
     * "Cannot coerce ...", which names Java types. That case names the first unknown option and the command's options
     * when the statement has one, and otherwise prints the command's usage, one line per method, and points to its
     * help. An {@link InvalidArgumentsException} from the command prints its reason with the same usage.
     */
    static String describe(CommandSession session, CharSequence statement, IllegalArgumentException e) {
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getName();
        }
        if (e instanceof InvalidArgumentsException) {
            return usageMessage(session, statement, ": " + message);
        }
        if (!message.startsWith(GOGO_NO_MATCHING_METHOD)) {
            return message;
        }
        for (Statement command : commands(statement)) {
            String unknown = unknownOption(session, command);
            if (unknown != null) {
                return unknown;
            }
        }
        return usageMessage(session, statement, "");
    }

    /**
     * Returns the message for invalid arguments of the statement's command: the command, {@code reason} (empty or
     * starting with a separator), and the command's usage with a pointer to its help. Gogo's {@code help} does not
     * describe a command that runs through {@code _main}, so such a command's usage goes without the pointer.
     */
    private static String usageMessage(CommandSession session, CharSequence statement, String reason) {
        String command = statement.toString().strip().split("\\s+", 2)[0];
        List<Method> methods = commandMethods(session, command);
        if (methods.isEmpty()) {
            return "invalid arguments for " + command + reason + ": missing, extra or unknown options; run 'help "
                    + command + "' for its arguments";
        }
        Set<String> usages = new TreeSet<>(Comparator.comparingInt(String::length)
                .thenComparing(Comparator.naturalOrder()));
        for (Method method : methods) {
            usages.add(usage(command, method));
        }
        String message = "invalid arguments for " + command + reason + "; usage:\n  " + String.join("\n  ", usages);
        if (methods.stream().allMatch(GogoCommandExecutor::isMain)) {
            return message;
        }
        return message + "\nrun 'help " + command + "' for what each argument means";
    }

    /**
     * Returns the methods that Gogo may run for {@code command}, or none when Gogo resolves the name to no command of
     * a service.
     */
    private static List<Method> commandMethods(CommandSession session, String command) {
        String qualified = qualify(session, command);
        if (qualified == null || !(session.get(qualified) instanceof CommandProxy proxy)) {
            return List.of();
        }
        try {
            return methods(proxy.getTarget(), qualified.substring(qualified.indexOf(':') + 1));
        } finally {
            proxy.ungetTarget();
        }
    }

    /**
     * Returns the usage of one method: its options in brackets, with {@code <value>} for an option that takes one,
     * then its arguments in angle brackets, the last followed by {@code ...} when it takes any number. An argument
     * is named after the method's parameter when the class was compiled with parameter names, and after its type
     * otherwise. A {@link CommandSession} parameter is left out, because Gogo passes the session itself, and so is
     * the first parameter of {@code _main}, which receives the function name.
     */
    private static String usage(String command, Method method) {
        StringBuilder usage = new StringBuilder(command);
        java.lang.reflect.Parameter[] parameters = method.getParameters();
        for (int i = isMain(method) ? 1 : 0; i < parameters.length; i++) {
            java.lang.reflect.Parameter parameter = parameters[i];
            if (CommandSession.class.isAssignableFrom(parameter.getType())) {
                continue;
            }
            Parameter option = parameter.getAnnotation(Parameter.class);
            usage.append(' ');
            if (option != null) {
                usage.append('[').append(String.join(" | ", option.names()));
                if (Parameter.UNSPECIFIED.equals(option.presentValue())) {
                    usage.append(" <value>");
                }
                usage.append(']');
                continue;
            }
            String name = parameter.isNamePresent() ? parameter.getName()
                    : parameter.getType().getSimpleName().replace("[]", "");
            usage.append('<').append(name).append('>');
            if (method.isVarArgs() && i == parameters.length - 1) {
                usage.append("...");
            }
        }
        return usage.toString();
    }

    /** Returns the commands of {@code statement}, those of a pipeline included, or none if it is not parsed. */
    private static List<Statement> commands(CharSequence statement) {
        List<Statement> commands = new ArrayList<>();
        if (statement instanceof Program program) {
            addCommands(program.tokens(), commands);
        }
        return commands;
    }

    private static void addCommands(List<Executable> executables, List<Statement> commands) {
        for (Executable executable : executables) {
            if (executable instanceof Statement command) {
                commands.add(command);
            } else if (executable instanceof Pipeline pipeline) {
                addCommands(pipeline.tokens(), commands);
            }
        }
    }

    /**
     * Returns a message naming the first word of {@code command} that looks like an option ({@code -x} or
     * {@code --name}, not a number) but is no option of the command, together with the command's options. An
     * option written with its value ({@code --name=value}) and an option given a second time, under any of its
     * names, get a message of their own. Returns {@code null} when every option is known and given once, or when
     * Gogo resolves the name to no command with options.
     */
    private static String unknownOption(CommandSession session, Statement command) {
        List<Token> words = command.tokens();
        if (words.isEmpty()) {
            return null;
        }
        String name = words.get(0).toString();
        String qualified = qualify(session, name);
        if (qualified == null || !(session.get(qualified) instanceof CommandProxy proxy)) {
            return null;
        }
        Map<String, Parameter> options;
        try {
            options = options(proxy.getTarget(), qualified.substring(qualified.indexOf(':') + 1));
        } finally {
            proxy.ungetTarget();
        }
        if (options.isEmpty()) {
            return null;
        }
        Set<String> seenOptions = new HashSet<>();
        for (Token word : words.subList(1, words.size())) {
            String text = word.toString();
            // bin/cohort client quotes every argument with an equals sign, so '--name=value' arrives quoted.
            String unquoted = singleQuoted(text);
            if (unquoted != null && optionBeforeEquals(unquoted, options) != null) {
                text = unquoted;
            }
            if (!OPTION.matcher(text).matches()) {
                continue;
            }
            String option = options.containsKey(text) ? null : optionBeforeEquals(text, options);
            if (option != null) {
                String value = text.substring(option.length() + 1);
                if (!Parameter.UNSPECIFIED.equals(options.get(option).presentValue())) {
                    return "option '" + option + "' for " + name + " takes no value: write '" + option
                            + "' instead of '" + text + "'";
                }
                return "option '" + text + "' for " + name + " takes its value as the next word: write '" + option
                        + " " + value + "'";
            }
            if (!options.containsKey(text)) {
                return "unknown option '" + text + "' for " + name + "; expected "
                        + String.join(", ", new TreeSet<>(options.keySet())) + " (run 'help " + name
                        + "' for its arguments)";
            }
            if (!seenOptions.add(options.get(text).names()[0])) {
                return "option '" + text + "' for " + name + " is given more than once; give each option once";
            }
        }
        return null;
    }

    /** Returns the known option that {@code word} starts with before an equals sign ({@code --name=value}), or null. */
    private static String optionBeforeEquals(String word, Map<String, Parameter> options) {
        int equalsSign = word.indexOf('=');
        if (!OPTION.matcher(word).matches() || equalsSign <= 0) {
            return null;
        }
        String option = word.substring(0, equalsSign);
        return options.containsKey(option) ? option : null;
    }

    /** Returns the text inside {@code word} when it is one single-quoted string without other quotes, else null. */
    private static String singleQuoted(String word) {
        if (word.length() < 2 || word.charAt(0) != '\'' || word.charAt(word.length() - 1) != '\'') {
            return null;
        }
        String inside = word.substring(1, word.length() - 1);
        return inside.indexOf('\'') < 0 ? inside : null;
    }

    /**
     * Returns {@code name} with its scope: as it is when it has one, otherwise the one registered command of that
     * name. Returns {@code null} when several scopes have it, because which one Gogo ran is not known here.
     */
    private static String qualify(CommandSession session, String name) {
        if (name.indexOf(':') >= 0) {
            return name;
        }
        List<String> matches = new ArrayList<>();
        if (session.get(GOGO_COMMANDS) instanceof Set<?> commands) {
            for (Object command : commands) {
                if (command.toString().endsWith(":" + name.toLowerCase(Locale.ROOT))) {
                    matches.add(command.toString());
                }
            }
        }
        return matches.size() == 1 ? matches.get(0) : null;
    }

    /**
     * Returns each option name that the {@link Parameter} annotations of the command's methods declare, mapped to its
     * annotation, so that the names of one option ({@code --loud}, {@code -l}) map to one annotation.
     */
    private static Map<String, Parameter> options(Object target, String function) {
        Map<String, Parameter> options = new HashMap<>();
        for (Method method : methods(target, function)) {
            for (Annotation[] annotations : method.getParameterAnnotations()) {
                for (Annotation annotation : annotations) {
                    if (annotation instanceof Parameter parameter && parameter.names().length > 0) {
                        for (String option : parameter.names()) {
                            options.putIfAbsent(option, parameter);
                        }
                    }
                }
            }
        }
        return options;
    }

    /**
     * Returns the public methods of {@code target} that Gogo runs for {@code function}: those whose names match it,
     * and {@code _main}, which Gogo runs for any function of the service with the function's name as the first
     * argument. A command name that is no Java identifier, such as {@code add-field}, can only run that way.
     */
    private static List<Method> methods(Object target, String function) {
        List<Method> methods = new ArrayList<>();
        for (Method method : target.getClass().getMethods()) {
            if (method.getName().equalsIgnoreCase(function) || isMain(method)) {
                methods.add(method);
            }
        }
        return methods;
    }

    private static boolean isMain(Method method) {
        return method.getName().equals(Reflective.MAIN);
    }

    /** Prints {@code text}, adding a line break unless it already ends with one. */
    private static void printLine(PrintStream stream, CharSequence text) {
        String value = String.valueOf(text);
        stream.print(value.endsWith("\n") ? value : value + "\n");
    }
}
