package io.cohort.samples.tasks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class TasksCommandsTest {

    @Test
    public void parseSteps_inRange_returnsIt() {
        assertEquals(8, TasksCommands.parseSteps(" 8 "));
    }

    @Test
    public void parseSteps_beyondInt_namesValueAsTyped() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TasksCommands.parseSteps("4294967297"));

        assertEquals("steps '4294967297' is invalid; expected a whole number from 1 to 10000", error.getMessage());
    }

    @Test
    public void parseSteps_notNumber_namesValue() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TasksCommands.parseSteps("abc"));

        assertEquals("steps 'abc' is invalid; expected a whole number from 1 to 10000", error.getMessage());
    }

    @Test
    public void parseSteps_zero_rejected() {
        assertThrows(IllegalArgumentException.class, () -> TasksCommands.parseSteps("0"));
    }
}
