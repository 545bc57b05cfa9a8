package io.cohort.samples.auth;

import java.util.List;
import java.util.Locale;

/**
 * The settings that one {@code auth:policy set} changes; a {@code null} component keeps the current value.
 *
 * @param tokenTtlMinutes the new token ttl in minutes, 1 to {@value #MAX_TOKEN_TTL_MINUTES}
 * @param maxFailedLogins the new failed-login limit, 1 to {@value #MAX_FAILED_LOGINS_LIMIT}
 * @param requireMfa the new second-factor requirement
 */
record PolicyChange(Integer tokenTtlMinutes, Integer maxFailedLogins, Boolean requireMfa) {

    static final String TOKEN_TTL_MINUTES = "token-ttl-minutes";
    static final String MAX_FAILED_LOGINS = "max-failed-logins";
    static final String REQUIRE_MFA = "require-mfa";

    /** The maximum token ttl: 7 days. */
    static final int MAX_TOKEN_TTL_MINUTES = 10_080;

    static final int MAX_FAILED_LOGINS_LIMIT = 100;

    /** The settings that {@code auth:policy set} takes, with their values. */
    static final String SETTINGS = TOKEN_TTL_MINUTES + "=<1-" + MAX_TOKEN_TTL_MINUTES + ">, " + MAX_FAILED_LOGINS
            + "=<1-" + MAX_FAILED_LOGINS_LIMIT + "> or " + REQUIRE_MFA + "=<true|false>";

    private static final String USAGE = "expected " + SETTINGS;

    /**
     * Parses {@code name=value} settings, for example {@code token-ttl-minutes=30 require-mfa=true}.
     *
     * @throws IllegalArgumentException if there is no setting, a setting is unknown, repeated or out of range
     */
    static PolicyChange parse(List<String> settings) {
        if (settings.isEmpty()) {
            throw new IllegalArgumentException("no setting given; " + USAGE);
        }
        Integer ttl = null;
        Integer failedLogins = null;
        Boolean mfa = null;
        for (String setting : settings) {
            int equals = setting.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("setting '" + setting + "' is invalid; " + USAGE);
            }
            String name = setting.substring(0, equals);
            String value = setting.substring(equals + 1);
            switch (name) {
                case TOKEN_TTL_MINUTES -> ttl = requireUnset(name, ttl, parseInt(name, value, MAX_TOKEN_TTL_MINUTES));
                case MAX_FAILED_LOGINS ->
                        failedLogins = requireUnset(name, failedLogins, parseInt(name, value, MAX_FAILED_LOGINS_LIMIT));
                case REQUIRE_MFA -> mfa = requireUnset(name, mfa, parseBoolean(name, value));
                default -> throw new IllegalArgumentException("setting '" + name + "' is unknown; " + USAGE);
            }
        }
        return new PolicyChange(ttl, failedLogins, mfa);
    }

    private static <T> T requireUnset(String name, T current, T value) {
        if (current != null) {
            throw new IllegalArgumentException("setting '" + name + "' is given twice; give each setting once");
        }
        return value;
    }

    private static int parseInt(String name, String value, int max) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 1 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the allowed range.
        }
        throw new IllegalArgumentException(name + " '" + value + "' is invalid; expected a whole number from 1 to "
                + max);
    }

    private static boolean parseBoolean(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " '" + value + "' is invalid; expected true or false");
        };
    }
}
