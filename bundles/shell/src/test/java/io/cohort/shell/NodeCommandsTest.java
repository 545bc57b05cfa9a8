package io.cohort.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.cohort.api.node.ConfigurationError;

import org.junit.Test;

/** What the {@code cohort:} commands report when core is not running. */
public class NodeCommandsTest {

    /** The error of every command that needs core while core is not running. */
    static final String CORE_NOT_RUNNING = "Cohort core is not running on this node. Run 'lb cohort' to see the "
            + "state of the Cohort core bundle, and 'start <id>' to start it when it is not Active. When it is "
            + "Active, 'cohort:info' names an invalid configuration file and 'scr:list' shows which io.cohort.core "
            + "component is not satisfied";

    private final NodeCommands commands = new NodeCommands();

    @Test(timeout = 5000)
    public void info_noNode_pointsToBundleState() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.info(false));

        assertEquals(CORE_NOT_RUNNING, e.getMessage());
    }

    @Test(timeout = 5000)
    public void info_invalidAppName_namesSetting() {
        commands.addConfigurationError(new ConfigurationError("io.cohort.core", "app.name 'Shop!' is invalid; "
                + "expected 1 to 63 characters from a-z 0-9 -, starting with a letter or digit"));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.info(false));

        assertEquals("Cohort core is not running because a configuration is invalid: etc/io.cohort.core.cfg "
                + "(io.cohort.core): app.name 'Shop!' is invalid; expected 1 to 63 characters from a-z 0-9 -, "
                + "starting with a letter or digit", e.getMessage());
    }

    @Test(timeout = 5000)
    public void plugins_configurationFixed_pointsToBundleState() {
        ConfigurationError error = new ConfigurationError("io.cohort.core", "app.name '' is invalid");
        commands.addConfigurationError(error);
        commands.removeConfigurationError(error);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.plugins(false));

        assertEquals(CORE_NOT_RUNNING, e.getMessage());
    }
}
