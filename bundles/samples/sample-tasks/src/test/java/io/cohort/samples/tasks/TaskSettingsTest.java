package io.cohort.samples.tasks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

public class TaskSettingsTest {

    @Test(timeout = 5_000)
    public void of_validValues_keepsThemWithoutWarning() {
        List<String> warnings = new ArrayList<>();

        TaskSettings settings = TaskSettings.of(4, 250, warnings::add);

        assertEquals(4, settings.concurrency());
        assertEquals(Duration.ofMillis(250), settings.stepTime());
        assertEquals(List.of(), warnings);
    }

    @Test(timeout = 5_000)
    public void of_invalidValues_usesDefaultsAndNamesEachSetting() {
        List<String> warnings = new ArrayList<>();

        TaskSettings settings = TaskSettings.of(0, 5, warnings::add);

        assertEquals(TaskSettings.DEFAULT_CONCURRENCY, settings.concurrency());
        assertEquals(Duration.ofMillis(TaskSettings.DEFAULT_STEP_MS), settings.stepTime());
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(0), warnings.get(0).startsWith("concurrency 0 is invalid"));
        assertTrue(warnings.get(1), warnings.get(1).startsWith("step.ms 5 is invalid"));
    }

    @Test(timeout = 5_000)
    public void queued_validInput_startsAtZeroWithoutNode() {
        TaskRow row = TaskRow.queued("t1", "report", 10, "a", Instant.EPOCH);

        assertEquals(TaskStatus.QUEUED, row.status());
        assertEquals(0, row.progress());
        assertEquals("", row.node());
        assertEquals("0/10 0%", row.progressText());
    }

    @Test(timeout = 5_000)
    public void queued_invalidKindOrSteps_rejectsNamingTheValue() {
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> TaskRow.queued("t1", "Report!", 10, "a", Instant.EPOCH));
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
                () -> TaskRow.queued("t1", "report", 0, "a", Instant.EPOCH));

        assertTrue(kind.getMessage(), kind.getMessage().contains("'Report!'"));
        assertTrue(steps.getMessage(), steps.getMessage().contains("steps 0"));
    }

    @Test(timeout = 5_000)
    public void isFinal_eachStatus_onlyEndedStatesAreFinal() {
        assertEquals(List.of(TaskStatus.DONE, TaskStatus.CANCELLED, TaskStatus.FAILED),
                List.of(TaskStatus.values()).stream().filter(TaskStatus::isFinal).toList());
    }

    @Test
    public void parse_notANumber_warnsNamingValueAndUsesDefault() {
        List<String> warnings = new ArrayList<>();

        TaskSettings settings = TaskSettings.parse("abc", "250", warnings::add);

        assertEquals(TaskSettings.DEFAULT_CONCURRENCY, settings.concurrency());
        assertEquals(List.of("concurrency 'abc' is not a whole number from 1 to 256; using 2"), warnings);
    }

    @Test
    public void parse_beyondInt_outOfRange() {
        List<String> warnings = new ArrayList<>();

        TaskSettings settings = TaskSettings.parse("4294967297", "250", warnings::add);

        assertEquals(TaskSettings.DEFAULT_CONCURRENCY, settings.concurrency());
        assertEquals(List.of("concurrency '4294967297' is not a whole number from 1 to 256; using 2"), warnings);
    }

    @Test(timeout = 5_000)
    public void parse_stepNotANumber_warnsNamingRange() {
        List<String> warnings = new ArrayList<>();

        TaskSettings settings = TaskSettings.parse("2", "slow", warnings::add);

        assertEquals(Duration.ofMillis(TaskSettings.DEFAULT_STEP_MS), settings.stepTime());
        assertEquals(List.of("step.ms 'slow' is not a whole number from 10 to 60000; using 1000"), warnings);
    }
}
