package io.cohort.launcher;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Optional;

import ch.qos.logback.core.status.ErrorStatus;
import ch.qos.logback.core.status.InfoStatus;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.WarnStatus;

import org.junit.Test;

public class LoggingFallbackTest {

    @Test
    public void firstError_infoAndWarnOnly_none() {
        List<Status> statuses = List.of(new InfoStatus("read", this), new WarnStatus("odd", this));

        assertEquals(Optional.empty(), LoggingFallback.firstError(statuses));
    }

    @Test
    public void firstError_twoErrors_returnsFirst() {
        Status parsing = new ErrorStatus("parsing failed", this);
        List<Status> statuses = List.of(new InfoStatus("read", this), parsing, new ErrorStatus("later", this));

        assertEquals(Optional.of(parsing), LoggingFallback.firstError(statuses));
    }
}
