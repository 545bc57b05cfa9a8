package io.cohort.core.deploy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class DeployFolderCheckTest {

    private static final Duration QUIET = Duration.ofSeconds(2);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    private Path deploy;
    private final DeployFolderCheck check = new DeployFolderCheck();

    @Before
    public void createFolder() throws IOException {
        deploy = temp.newFolder("deploy").toPath().toRealPath();
        check.useFolders(List.of(deploy));
    }

    @Test
    public void problem_textFile_notReadableJar() throws IOException {
        Path jar = settled(Files.writeString(deploy.resolve("broken.jar"), "not a jar"));

        assertTrue(JarDiagnosis.problem(jar).orElseThrow().startsWith("it is not a readable jar"));
    }

    @Test
    public void problem_plainJar_namesMissingSymbolicName() throws IOException {
        Path jar = settled(jar("plain.jar", null));

        assertTrue(JarDiagnosis.problem(jar).orElseThrow().contains("no Bundle-SymbolicName"));
    }

    @Test
    public void problem_bundleJar_none() throws IOException {
        Path jar = settled(jar("bundle.jar", "com.example.plugin"));

        assertEquals(Optional.empty(), JarDiagnosis.problem(jar));
    }

    @Test
    public void check_brokenAndPlainJars_loggedOnce() throws IOException {
        Path broken = settled(Files.writeString(deploy.resolve("broken.jar"), "not a jar"));
        Path plain = settled(jar("plain.jar", null));
        settled(jar("bundle.jar", "com.example.plugin"));

        List<Path> first = check.check(Set.of(), QUIET);
        List<Path> second = check.check(Set.of(), QUIET);

        assertEquals(Set.of(broken, plain), Set.copyOf(first));
        assertEquals(List.of(), second);
    }

    @Test
    public void check_installedJarOverwritten_rememberedAsInstalled() throws IOException {
        Path bundle = settled(jar("bundle.jar", "com.example.plugin")).toAbsolutePath().normalize();
        check.check(Set.of(bundle), QUIET);

        settled(Files.writeString(bundle, "cut short"));
        List<Path> logged = check.check(Set.of(), QUIET);

        assertEquals(List.of(bundle), logged);
        assertTrue(check.wasInstalled(bundle));
    }

    @Test
    public void check_installedJarDeleted_forgotten() throws IOException {
        Path bundle = settled(jar("bundle.jar", "com.example.plugin")).toAbsolutePath().normalize();
        check.check(Set.of(bundle), QUIET);

        Files.delete(bundle);
        check.check(Set.of(), QUIET);

        assertFalse(check.wasInstalled(bundle));
    }

    @Test
    public void notInstalledMessage_replacedBundle_saysPluginStopped() {
        String message = DeployFolderCheck.notInstalledMessage(Path.of("/home/deploy/a.jar"),
                "it is not a readable jar", true);

        assertEquals("Deploy file /home/deploy/a.jar was not installed: it is not a readable jar. It replaced the jar "
                + "of an installed bundle, which is now uninstalled, so its plugin stays stopped until a valid jar is "
                + "copied in. The node keeps running", message);
    }

    @Test
    public void notInstalledMessage_newFile_problemOnly() {
        assertEquals("Deploy file /home/deploy/a.jar was not installed: it is not a readable jar. The node keeps "
                + "running", DeployFolderCheck.notInstalledMessage(Path.of("/home/deploy/a.jar"),
                "it is not a readable jar", false));
    }

    @Test
    public void check_jarChangedAgain_loggedAgain() throws IOException {
        Path broken = settled(Files.writeString(deploy.resolve("broken.jar"), "not a jar"));
        check.check(Set.of(), QUIET);

        Files.writeString(broken, "still not a jar");
        Files.setLastModifiedTime(broken, FileTime.from(Instant.now().minusSeconds(5)));

        assertEquals(List.of(broken), check.check(Set.of(), QUIET));
    }

    @Test
    public void check_jarStillBeingWritten_waits() throws IOException {
        Files.writeString(deploy.resolve("broken.jar"), "not a jar");

        assertEquals(List.of(), check.check(Set.of(), QUIET));
    }

    @Test
    public void check_installedJar_skipped() throws IOException {
        Path plain = settled(jar("plain.jar", null));

        assertEquals(List.of(), check.check(Set.of(plain), QUIET));
    }

    @Test
    public void check_secondCopyOfInstalledBundle_logged() throws IOException {
        Path original = settled(jar("plugin.jar", "com.example.plugin;singleton:=true"));
        Path copy = settled(jar("plugin-copy.jar", "com.example.plugin"));

        List<Path> logged = check.check(Set.of(original), Map.of("com.example.plugin 0.0.0", original), QUIET);

        assertEquals(List.of(copy), logged);
    }

    @Test
    public void check_copyDeleted_remainingJarLogged() throws IOException {
        Path original = settled(jar("plugin.jar", "com.example.plugin"));
        Path copy = settled(jar("plugin-copy.jar", "com.example.plugin"));
        check.check(Set.of(original), Map.of("com.example.plugin 0.0.0", original), QUIET);
        Files.delete(copy);

        List<Path> logged = check.check(Set.of(), Map.of(), QUIET);

        assertEquals(List.of(original), logged);
    }

    @Test
    public void check_uninstalledBundleWithoutCopy_notLogged() throws IOException {
        settled(jar("plugin.jar", "com.example.plugin"));

        assertEquals(List.of(), check.check(Set.of(), Map.of(), QUIET));
    }

    @Test
    public void check_otherVersionOfInstalledBundle_notLogged() throws IOException {
        Path original = settled(jar("plugin.jar", "com.example.plugin"));
        settled(jar("plugin-2.jar", "com.example.plugin"));

        assertEquals(List.of(), check.check(Set.of(original), Map.of("com.example.plugin 2.0.0", original), QUIET));
    }

    @Test
    public void identity_headers_nameWithoutDirectivesAndNormalVersion() {
        assertEquals("com.example.plugin 1.2.0", JarDiagnosis.identity("com.example.plugin; singleton:=true", "1.2"));
        assertEquals("com.example.plugin 0.0.0", JarDiagnosis.identity("com.example.plugin", null));
    }

    @Test
    public void folders_commaList_trimmedAndBlanksDropped() {
        List<Path> folders = DeployFolderCheck.folders(" /a/deploy , ,/a/etc");

        assertEquals(List.of(Path.of("/a/deploy"), Path.of("/a/etc")), folders);
    }

    private Path jar(String name, String symbolicName) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        Path jar = deploy.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream content = new JarOutputStream(out,
                manifest)) {
            content.putNextEntry(new JarEntry("readme.txt"));
            content.write("x".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    /** Dates the file 5 s back, so the check counts it as completely written. */
    private static Path settled(Path file) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(5)));
        return file;
    }
}
