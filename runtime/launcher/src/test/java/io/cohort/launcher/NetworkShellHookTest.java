package io.cohort.launcher;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class NetworkShellHookTest {

    @Test
    public void isHidden_telnetdString_true() {
        assertTrue(NetworkShellHook.isHidden("telnetd"));
    }

    @Test
    public void isHidden_arrayWithTelnetd_true() {
        assertTrue(NetworkShellHook.isHidden(new String[] {"sh", "telnetd"}));
    }

    @Test
    public void isHidden_listWithTelnetd_true() {
        assertTrue(NetworkShellHook.isHidden(List.of("telnetd")));
    }

    @Test
    public void isHidden_otherFunctions_false() {
        assertFalse(NetworkShellHook.isHidden(new String[] {"lb", "help", "telnet"}));
    }

    @Test
    public void isHidden_missingProperty_false() {
        assertFalse(NetworkShellHook.isHidden(null));
    }
}
