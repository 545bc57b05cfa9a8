package io.cohort.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.IOException;

import org.junit.Test;
import org.osgi.framework.BundleException;

public class RootCauseTest {

    @Test
    public void describe_nestedCause_namesDeepest() {
        IOException full = new IOException("No space left on device");
        BundleException failure = new BundleException("Unable to cache bundle: file:/node/system/h2.jar",
                new IllegalStateException("copy failed", full));

        assertEquals("IOException: No space left on device", RootCause.describe(failure));
    }

    @Test
    public void describe_circularCauses_ends() {
        IOException full = new IOException("No space left on device");
        IllegalStateException store = new IllegalStateException("write failed", full);
        full.initCause(store);

        assertEquals("IOException: No space left on device",
                RootCause.describe(new BundleException("Unable to cache bundle", store)));
    }

    @Test
    public void describe_noCause_null() {
        assertNull(RootCause.describe(new BundleException("Unable to cache bundle")));
        assertNull(RootCause.describe(null));
    }
}
