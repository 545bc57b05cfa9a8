package io.cohort.samples.auth;

import java.util.ArrayList;
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

    @Descriptor("Shows the token policy as this node reads it (cache or database)")
    public String policy() throws Exception {
        AuthPlugin.PolicyRead read = plugin.readPolicy();
        return read.policy().describe() + String.format("  %-20s %s%n", "read from:",
                read.fromDatabase() ? "database (now cached for " + AuthPlugin.POLICY_TTL.toSeconds() + " s)"
                        : "cache");
    }

    @Descriptor("Changes the token policy: policy set token-ttl-minutes=30 max-failed-logins=3 require-mfa=true")
    public String policy(
            @Descriptor("'set'") String action,
            @Descriptor("a name=value setting: " + PolicyChange.SETTINGS) String setting,
            @Descriptor("more name=value settings") String... moreSettings) throws Exception {
        if (!action.equals("set")) {
            throw new IllegalArgumentException("action '" + action + "' is unknown; use 'auth:policy' to show "
                    + "the policy or 'auth:policy set name=value...' to change it");
        }
        List<String> settings = new ArrayList<>(moreSettings.length + 1);
        settings.add(setting);
        settings.addAll(Arrays.asList(moreSettings));
        TokenPolicy updated = plugin.changePolicy(settings);
        return "Wrote version " + updated.version() + "; every node reads it on its next read.\n"
                + updated.describe();
    }
}
