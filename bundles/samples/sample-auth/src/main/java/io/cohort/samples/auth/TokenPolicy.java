package io.cohort.samples.auth;

import java.time.Instant;

/**
 * The token policy of the application: one row of the table {@value PolicyTable#TABLE}, and the value cached under
 * {@value AuthPlugin#POLICY_KEY}.
 *
 * @param tokenTtlMinutes how long an issued token stays valid, in minutes
 * @param maxFailedLogins failed logins in a row after which an account is locked
 * @param requireMfa whether a login needs a second factor
 * @param version 1 for the seeded row, one more with every change
 * @param updatedBy the node that wrote this version
 * @param updatedAt when that node wrote it, by its clock
 */
public record TokenPolicy(int tokenTtlMinutes, int maxFailedLogins, boolean requireMfa, long version,
        String updatedBy, Instant updatedAt) {

    /** The policy that the plugin writes when the table has no row yet. */
    static final TokenPolicy DEFAULT = new TokenPolicy(60, 5, false, 1, "seed", Instant.EPOCH);

    /** Returns this policy with the changed settings, the next version, and {@code node} as its writer. */
    TokenPolicy next(PolicyChange change, String node, Instant now) {
        return new TokenPolicy(
                change.tokenTtlMinutes() == null ? tokenTtlMinutes : change.tokenTtlMinutes(),
                change.maxFailedLogins() == null ? maxFailedLogins : change.maxFailedLogins(),
                change.requireMfa() == null ? requireMfa : change.requireMfa(),
                version + 1, node, now);
    }

    /** Returns the policy as {@code name: value} lines, with the setting names that {@code auth:policy set} takes. */
    String describe() {
        return "Token policy version " + version + ", written by " + updatedBy + " at " + updatedAt + "\n"
                + line(PolicyChange.TOKEN_TTL_MINUTES, tokenTtlMinutes)
                + line(PolicyChange.MAX_FAILED_LOGINS, maxFailedLogins)
                + line(PolicyChange.REQUIRE_MFA, requireMfa);
    }

    private static String line(String name, Object value) {
        return String.format("  %-20s %s%n", name + ":", value);
    }
}
