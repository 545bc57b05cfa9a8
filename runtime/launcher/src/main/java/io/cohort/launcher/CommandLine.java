package io.cohort.launcher;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a Gogo command line from separate arguments, so each argument reaches the command unchanged.
 *
 * <p>An argument made only of letters, digits and {@code _ - . , : / @ +} is sent as it is. Any other argument is put
 * in double quotes, with {@code \} before {@code "}, {@code \}, {@code $} and {@code %}, because Gogo expands
 * {@code $name} and {@code %(expression)} inside double quotes. A single quote cannot appear inside double quotes
 * in Gogo 1.1 (its tokenizer looks for the closing single quote), so the quoted text is closed before it, the quote
 * is written as {@code \'}, and the quoted text is opened again; Gogo joins the adjacent parts into one argument.
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
        StringBuilder quoted = new StringBuilder(argument.length() + 8).append('"');
        for (int i = 0; i < argument.length(); i++) {
            char c = argument.charAt(i);
            switch (c) {
                case '"', '\\', '$', '%' -> quoted.append('\\').append(c);
                case '\'' -> quoted.append("\"\\'\"");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static boolean isPlain(String argument) {
        return !argument.isEmpty() && argument.codePoints()
                .allMatch(c -> Character.isLetterOrDigit(c) || PLAIN_PUNCTUATION.indexOf(c) >= 0);
    }
}
