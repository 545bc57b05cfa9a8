package io.cohort.core.node;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class IdsTest {

    @Rule
    public Timeout timeout = Timeout.seconds(30);

    @Test
    public void randomId_parsesAsVersion4Uuid() {
        UUID id = UUID.fromString(Ids.randomId());

        assertEquals(4, id.version());
        assertEquals(2, id.variant());
    }

    @Test
    public void randomId_manyCalls_noRepeats() {
        Set<String> ids = new HashSet<>();

        for (int i = 0; i < 100_000; i++) {
            assertTrue(ids.add(Ids.randomId()));
        }
    }
}
