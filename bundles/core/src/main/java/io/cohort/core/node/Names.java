package io.cohort.core.node;

import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Validation of the names Cohort accepts: application names, channels, cache names, keys and lock keys. */
public final class Names {

    /** Largest length of a channel, cache name, cache key or lock key. */
    public static final int MAX_NAME_LENGTH = 200;

    /** The characters allowed in channels, cache names, prefixes, cache keys and lock keys, as the docs state them. */
    public static final String NAME_CHARACTERS = "A-Z a-z 0-9 . _ - : /";

    private static final Pattern APP_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PLUGIN_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private Names() {
    }

    /**
     * Checks a channel, cache name, prefix, cache key or lock key and returns it.
     *
     * @param kind what the value is, for the message: {@code channel}, {@code cache key}, {@code lock key}
     * @throws IllegalArgumentException naming the value and the allowed form
     */
    public static String requireName(String kind, String value) {
        String problem = nameProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException(kind + problem);
        }
        return value;
    }

    /**
     * Checks a name like {@link #requireName(String, String)}, but builds {@code kind} only when the check fails, so
     * that a check on every cache read allocates no text.
     */
    public static String requireName(Supplier<String> kind, String value) {
        String problem = nameProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException(kind.get() + problem);
        }
        return value;
    }

    /** Returns what is wrong with a name, as the end of a message that starts with its kind, or null if nothing. */
    private static String nameProblem(String value) {
        if (value == null) {
            return " is null; expected 1 to " + MAX_NAME_LENGTH + " characters from " + NAME_CHARACTERS;
        }
        if (value.isEmpty() || value.length() > MAX_NAME_LENGTH) {
            return " '" + abbreviate(value) + "' has " + value.length() + " characters; expected 1 to "
                    + MAX_NAME_LENGTH;
        }
        if (!hasOnlyNameCharacters(value)) {
            return " '" + abbreviate(value) + "' contains characters outside " + NAME_CHARACTERS;
        }
        return null;
    }

    /** Tests the characters with a loop instead of a regex because every cache read and lock call runs it. */
    private static boolean hasOnlyNameCharacters(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Checks an application name: 1 to 63 characters from {@code a-z 0-9 -}, starting with a letter or digit. */
    public static String requireAppName(String value) {
        if (value == null || !APP_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("app.name '" + abbreviate(String.valueOf(value))
                    + "' is invalid; expected 1 to 63 characters from a-z 0-9 -, starting with a letter or digit");
        }
        return value;
    }

    /** Checks a plugin name: 1 to 64 characters from {@code a-z 0-9 -}, starting with a letter or digit. */
    public static String requirePluginName(String value) {
        if (value == null || !PLUGIN_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("plugin name '" + abbreviate(String.valueOf(value))
                    + "' is invalid; expected 1 to 64 characters from a-z 0-9 -, starting with a letter or digit");
        }
        return value;
    }

    /** Shortens a value for an error message so that an over-long input does not flood the log. */
    public static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }
}
