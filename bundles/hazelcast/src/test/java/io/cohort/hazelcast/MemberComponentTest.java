package io.cohort.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** The component with settings that start no member, so that no Hazelcast instance runs. */
public class MemberComponentTest {

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Test
    public void activate_invalidSetting_logsPidOnce() {
        String log = StandardError.capture(() -> new MemberComponent(null, Map.of(MemberSettings.PORT_COUNT, 0))
                .deactivate());

        String error = StandardError.lineWith(log, "Hazelcast member not started");
        assertTrue(error, error.contains(" ERROR "));
        assertTrue(error, error.contains("setting port.count '0' is invalid"));
        assertEquals(error, 1, StandardError.count(StandardError.message(error), HazelcastMember.PID));
    }
}
