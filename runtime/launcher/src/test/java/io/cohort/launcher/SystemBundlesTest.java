package io.cohort.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

import io.cohort.launcher.SystemBundles.SystemBundle;

public class SystemBundlesTest {

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path system;

    @Before
    public void createSystemFolder() throws IOException {
        system = temp.newFolder("system").toPath();
    }

    @Test
    public void scan_levelFolders_ordersByNumericLevelThenName() throws IOException {
        jar("10/z.jar");
        jar("2/b.jar");
        jar("2/a.jar");
        jar("1/c.jar");

        List<SystemBundle> bundles = SystemBundles.scan(system);

        assertEquals(List.of("1/c.jar", "2/a.jar", "2/b.jar", "10/z.jar"), names(bundles));
    }

    @Test
    public void scan_levelFolder_givesItsLevelToEachJar() throws IOException {
        jar("3/a.jar");
        jar("3/b.jar");

        List<SystemBundle> bundles = SystemBundles.scan(system);

        assertEquals(List.of(3, 3), bundles.stream().map(SystemBundle::startLevel).collect(Collectors.toList()));
    }

    @Test
    public void scan_otherFilesAndHiddenNames_areIgnored() throws IOException {
        jar("1/a.jar");
        jar("1/notes.txt");
        jar("1/.hidden.jar");
        jar(".DS_Store");

        List<SystemBundle> bundles = SystemBundles.scan(system);

        assertEquals(List.of("1/a.jar"), names(bundles));
    }

    @Test
    public void scan_jarOutsideLevelFolder_throwsNamingIt() throws IOException {
        jar("1/a.jar");
        jar("loose.jar");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SystemBundles.scan(system));

        assertTrue(e.getMessage(), e.getMessage().startsWith(system.resolve("loose.jar") + " is not a start-level"));
    }

    @Test
    public void scan_folderNotNamedAfterLevel_throws() throws IOException {
        jar("core/a.jar");

        assertThrows(IllegalArgumentException.class, () -> SystemBundles.scan(system));
    }

    @Test
    public void scan_levelZero_throws() throws IOException {
        jar("0/a.jar");

        assertThrows(IllegalArgumentException.class, () -> SystemBundles.scan(system));
    }

    @Test
    public void scan_noJars_throws() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SystemBundles.scan(system));

        assertEquals("No bundle jars found under " + system, e.getMessage());
    }

    @Test
    public void scan_missingFolder_throws() {
        Path missing = system.resolve("missing");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SystemBundles.scan(missing));

        assertEquals("The system bundle folder " + missing + " is missing", e.getMessage());
    }

    private void jar(String relativePath) throws IOException {
        Path file = system.resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.createFile(file);
    }

    private List<String> names(List<SystemBundle> bundles) {
        return bundles.stream()
                .map(bundle -> system.relativize(bundle.jar()).toString())
                .collect(Collectors.toList());
    }
}
