package io.cohort.samples.auth;

import java.util.Arrays;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo command {@code auth:policy} of the sample-auth plugin. */
@Component(service = AuthCommands.class, property = {
    "osgi.command.scope=auth",
    "osgi.command.function=policy"
})
public class AuthCommands {

    @Reference
    private AuthPlugin plugin;

    @Descriptor("Shows the token policy as this node reads it (cache or database), or changes it: "
            + "policy set token-ttl-minutes=30 max-failed-logins=3 require-mfa=true")
    public String policy(@Descriptor("nothing to show the policy, or 'set' and one or more name=value settings")
            String... arguments) throws Exception {
        List<String> words = Arrays.asList(arguments);
        if (words.isEmpty()) {
            AuthPlugin.PolicyRead read = plugin.readPolicy();
            return read.policy().describe() + String.format("  %-20s %s%n", "read from:",
                    read.fromDatabase() ? "database (now cached for " + AuthPlugin.POLICY_TTL.toSeconds() + " s)"
                            : "cache");
        }
        if (!words.get(0).equals("set")) {
            throw new IllegalArgumentException("action '" + words.get(0) + "' is unknown; use 'auth:policy' to show "
                    + "the policy or 'auth:policy set name=value...' to change it");
        }
        TokenPolicy updated = plugin.changePolicy(words.subList(1, words.size()));
        return "Wrote version " + updated.version() + "; every node reads it on its next read.\n"
                + updated.describe();
    }
}
