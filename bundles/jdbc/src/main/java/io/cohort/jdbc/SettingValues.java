package io.cohort.jdbc;

/**
 * Parses the numeric settings of the database configuration, which configuration admin delivers as text from
 * {@code etc/io.cohort.jdbc.cfg}. Parsing here, instead of through an {@code int} or {@code long} member of a
 * component configuration type, lets a value such as {@code lots} fail with a message naming the setting.
 */
public final class SettingValues {

    private SettingValues() {
    }

    /**
     * Parses {@code value} as a whole number from {@code min} to {@code max}. Spaces around it are ignored.
     *
     * @throws IllegalArgumentException naming the setting, the value and the allowed range
     */
    public static long wholeNumber(String setting, String value, long min, long max) {
        String text = value == null ? "" : value.trim();
        long number;
        try {
            number = Long.parseLong(text);
        } catch (NumberFormatException e) {
            String problem = text.matches("[+-]?\\d+") ? "is out of range" : "is not a whole number";
            throw new IllegalArgumentException(setting + " '" + abbreviate(text) + "' " + problem + "; expected "
                    + min + " to " + max);
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(setting + " " + number + " is out of range; expected " + min + " to "
                    + max);
        }
        return number;
    }

    /** Shortens a value for a message, so that a file pasted into a setting does not flood the log. */
    private static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
