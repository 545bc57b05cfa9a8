package io.cohort.launcher;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a Gogo command line from separate arguments, so each argument reaches the command unchanged.
 *
 * <p>An argument made only of letters, digits and {@code _ - . , : / @ +} is sent as it is. Any other argument is put
 * in single quotes, inside which Gogo 1.1 takes every character literally. Double quotes would not do: inside them
 * Gogo expands {@code $name} and {@code %(expression)}, and it expands braces with a comma, so the JSON object
 * {@code {"a":1,"b":2}} would arrive as {@code "a":1 "b":2}. A single quote in the argument closes the quoted text,
 * is written as {@code \'}, and opens it again; Gogo joins the adjacent parts into one argument.
 */
final class CommandLine {

    private static final String PLAIN_PUNCTUATION = "_-.,:/@+";

    private CommandLine() {
    }

    /** Returns the arguments quoted as needed and joined with single spaces. */
    static String join(List<String> arguments) {
        return arguments.stream().map(CommandLine::quote).collect(Collectors.joining(" "));
    }

    /** Returns {@code argument} as one Gogo word, quoted if it has whitespace or characters Gogo treats specially. */
    static String quote(String argument) {
        if (isPlain(argument)) {
            return argument;
        }
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    private static boolean isPlain(String argument) {
        return !argument.isEmpty() && argument.codePoints()
                .allMatch(c -> Character.isLetterOrDigit(c) || PLAIN_PUNCTUATION.indexOf(c) >= 0);
    }
}
