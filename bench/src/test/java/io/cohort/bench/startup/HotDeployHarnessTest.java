package io.cohort.bench.startup;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class HotDeployHarnessTest {

    private static final String LOADED_LINE = "2026-12-04T22:01:33.667Z INFO  [cohort-plugins] "
            + "io.cohort.core.plugin.PluginLifecycle - Plugin starter loaded from bundle io.cohort.samples.starter "
            + "[25] version 0.1.0.202612042159 in 157 ms";

    private static final String UNLOADED_LINE = "2026-12-04T22:01:54.667Z INFO  [cohort-plugins] "
            + "io.cohort.core.plugin.PluginLifecycle - Plugin starter unloaded from bundle io.cohort.samples.starter "
            + "[25] version 0.1.0.202612042159 in 151 ms because its service was unregistered";

    @Rule
    public Timeout timeout = Timeout.seconds(10);

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void loadedPattern_runtimeLine_matchesFields() {
        Matcher loaded = HotDeployHarness.LOADED.matcher(LOADED_LINE);

        assertTrue(loaded.find());
        assertEquals("2026-12-04T22:01:33.667Z", loaded.group(1));
        assertEquals("25", loaded.group(2));
        assertEquals("157", loaded.group(3));
    }

    @Test
    public void loadedPattern_otherLines_doNotMatch() {
        assertFalse(HotDeployHarness.LOADED.matcher(UNLOADED_LINE).find());
        assertFalse(HotDeployHarness.LOADED.matcher(LOADED_LINE.replace("Plugin starter", "Plugin other")).find());
        assertFalse(HotDeployHarness.LOADED.matcher("2026-12-04T22:01:33.534Z INFO  [cohort-plugins-hook-1] "
                + "io.cohort.samples.starter.StarterPlugin - Starter plugin loaded on node node-1").find());
    }

    @Test
    public void unloadedPattern_runtimeLine_matchesFields() {
        Matcher unloaded = HotDeployHarness.UNLOADED.matcher(UNLOADED_LINE);

        assertTrue(unloaded.find());
        assertEquals("2026-12-04T22:01:54.667Z", unloaded.group(1));
        assertEquals("25", unloaded.group(2));
        assertEquals("151", unloaded.group(3));
    }

    @Test
    public void epochMillis_utcAndOffsetTimestamps_sameInstant() {
        assertEquals(HotDeployHarness.epochMillis("2026-12-04T22:01:33.667Z"),
                HotDeployHarness.epochMillis("2026-12-04T23:01:33.667+01:00"));
        assertEquals(667, HotDeployHarness.epochMillis("1970-01-01T00:00:00.667Z"));
    }

    @Test
    public void installedAt_felixBundleInfo_readsFifthLine() throws IOException {
        Path info = folder.newFile("bundle.info").toPath();
        Files.writeString(info, "25\nfile:/tmp/deploy/sample-starter.jar\n8\n5\n1796421693332\n0\n");

        assertEquals(Optional.of(1796421693332L), HotDeployHarness.installedAt(info));
    }

    @Test
    public void installedAt_missingOrShortFile_isEmpty() throws IOException {
        Path info = folder.newFile("short.info").toPath();
        Files.writeString(info, "25\nfile:/tmp/deploy/sample-starter.jar\n");

        assertEquals(Optional.empty(), HotDeployHarness.installedAt(info));
        assertEquals(Optional.empty(), HotDeployHarness.installedAt(folder.getRoot().toPath().resolve("absent")));
    }

    @Test
    public void pollMillis_set_readsProperty() throws IOException {
        Path properties = folder.newFile("set.properties").toPath();
        Files.writeString(properties, "# Poll interval\nfelix.fileinstall.poll=250\n");

        assertEquals(250, HotDeployHarness.pollMillis(properties));
    }

    @Test
    public void pollMillis_unset_fileInstallDefault() throws IOException {
        Path properties = folder.newFile("unset.properties").toPath();
        Files.writeString(properties, "felix.fileinstall.dir=deploy\n");

        assertEquals(HotDeployHarness.DEFAULT_POLL_MILLIS, HotDeployHarness.pollMillis(properties));
    }

    @Test
    public void logTail_appendedLines_returnsCompleteOnes() throws IOException {
        Path log = folder.newFile("cohort.log").toPath();
        Files.writeString(log, "before the tail\n");
        HotDeployHarness.LogTail tail = new HotDeployHarness.LogTail(log);

        Files.writeString(log, "first\nsecond, half", StandardOpenOption.APPEND);
        List<String> firstRead = tail.newLines();
        Files.writeString(log, " done\n", StandardOpenOption.APPEND);
        List<String> secondRead = tail.newLines();

        assertEquals(List.of("first"), firstRead);
        assertEquals(List.of("second, half done"), secondRead);
        assertEquals(List.of(), tail.newLines());
    }
}
