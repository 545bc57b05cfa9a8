package io.cohort.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

public class FrameworkPropertiesTest {

    private static final Function<String, String> NO_SYSTEM_PROPERTIES = name -> null;

    @Rule
    public final Timeout timeout = Timeout.seconds(10);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void resolve_variable_replacesIt() {
        Map<String, String> resolved = FrameworkProperties.resolve("test", Map.of("storage", "${cohort.home}/cache"),
                Map.of("cohort.home", "/opt/node"), NO_SYSTEM_PROPERTIES);

        assertEquals("/opt/node/cache", resolved.get("storage"));
    }

    @Test
    public void resolve_chainOfProperties_replacesEachLink() {
        Map<String, String> declared = Map.of("a", "${b}/a", "b", "${c}/b", "c", "/root");

        Map<String, String> resolved = FrameworkProperties.resolve("test", declared, Map.of(), NO_SYSTEM_PROPERTIES);

        assertEquals("/root/b/a", resolved.get("a"));
    }

    @Test
    public void resolve_severalReferencesInOneValue_replacesAll() {
        Map<String, String> resolved = FrameworkProperties.resolve("test", Map.of("dirs", "${home}/deploy,${home}/etc"),
                Map.of("home", "/h"), NO_SYSTEM_PROPERTIES);

        assertEquals("/h/deploy,/h/etc", resolved.get("dirs"));
    }

    @Test
    public void resolve_systemProperty_usedWhenNotInFile() {
        Map<String, String> resolved = FrameworkProperties.resolve("test", Map.of("tmp", "${java.io.tmpdir}/x"),
                Map.of(), name -> name.equals("java.io.tmpdir") ? "/var/tmp" : null);

        assertEquals("/var/tmp/x", resolved.get("tmp"));
    }

    @Test
    public void resolve_variableAndFileProperty_variableWins() {
        Map<String, String> declared = Map.of("cohort.home", "/from/file", "data", "${cohort.home}/data");

        Map<String, String> resolved = FrameworkProperties.resolve("test", declared, Map.of("cohort.home", "/real"),
                NO_SYSTEM_PROPERTIES);

        assertEquals("/real/data", resolved.get("data"));
    }

    @Test
    public void resolve_undefinedName_throwsNamingPropertyAndName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameworkProperties.resolve(
                "cohort.properties", Map.of("storage", "${missing}/cache"), Map.of(), NO_SYSTEM_PROPERTIES));

        assertEquals("cohort.properties: property storage refers to ${missing}, which is neither a property of this"
                + " file nor a system property", e.getMessage());
    }

    @Test
    public void resolve_cycle_throwsNamingTheCycle() {
        Map<String, String> declared = new TreeMap<>(Map.of("a", "${b}", "b", "${a}"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrameworkProperties.resolve("test", declared, Map.of(), NO_SYSTEM_PROPERTIES));

        assertEquals("test: properties refer to each other in a cycle: a -> b -> a", e.getMessage());
    }

    @Test
    public void resolve_unclosedReference_throws() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameworkProperties.resolve(
                "test", Map.of("broken", "${cohort.home/x"), Map.of("cohort.home", "/h"), NO_SYSTEM_PROPERTIES));

        assertTrue(e.getMessage(), e.getMessage().contains("property broken has a '${' without a closing '}'"));
    }

    @Test
    public void load_propertiesFile_readsUtf8ContinuationsAndEscapes() throws IOException {
        Path file = temp.newFile("cohort.properties").toPath();
        Files.writeString(file, "# comment\nname=Zoë\nlist=a,\\\n  b\nfilter=.*\\\\.(jar|cfg)\nhome=${h}\n",
                StandardCharsets.UTF_8);

        Map<String, String> loaded = FrameworkProperties.load(file, Map.of("h", "/x"));

        assertEquals(Map.of("name", "Zoë", "list", "a,b", "filter", ".*\\.(jar|cfg)", "home", "/x"), loaded);
    }
}
