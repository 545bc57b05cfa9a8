package io.cohort.bench.harness;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class HarnessTest {

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Test
    public void rotated_eachRound_startsOneLater() {
        List<String> endpoints = List.of("cohort", "raw", "redis");

        assertEquals(List.of("cohort", "raw", "redis"), Harness.rotated(endpoints, 0));
        assertEquals(List.of("raw", "redis", "cohort"), Harness.rotated(endpoints, 1));
        assertEquals(List.of("redis", "cohort", "raw"), Harness.rotated(endpoints, 2));
        assertEquals(List.of("cohort", "raw", "redis"), Harness.rotated(endpoints, 3));
    }

    @Test
    public void rotated_emptyList_returnsEmpty() {
        assertEquals(List.of(), Harness.rotated(List.of(), 1));
    }
}
