package io.cohort.core.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import io.cohort.api.node.ConfigurationError;
import io.cohort.core.testing.FelixFramework;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** Runs the check on real files, registering its errors in a real Felix framework. */
public class ConfigFileCheckTest {

    private static final String JDBC_KEYS_MESSAGE = "keys Relay.interval.ms and relay.interval.ms differ only in "
            + "case, so FileInstall does not apply this file and the node keeps the settings it had before. Remove "
            + "one key of each pair";

    @Rule
    public final Timeout timeout = Timeout.seconds(30);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Rule
    public final FelixFramework felix = new FelixFramework();

    private BundleContext context;
    private Path etc;
    private ConfigFileCheck check;

    @Before
    public void createCheck() throws Exception {
        context = felix.context();
        etc = temp.newFolder("etc").toPath().toRealPath();
        check = new ConfigFileCheck(context);
    }

    @Test
    public void check_keysDifferInCase_registersError() throws Exception {
        write("io.cohort.jdbc.cfg", "relay.interval.ms=500\npool.size=10\nRelay.interval.ms=100\n");

        check.check(List.of(etc));

        assertEquals(List.of(new ConfigurationError("io.cohort.jdbc", JDBC_KEYS_MESSAGE)), configurationErrors());
    }

    @Test
    public void deployFolderCheck_keysDifferInCase_registersAndWithdrawsError() throws Exception {
        context = felix.restart(Map.of(DeployFolderCheck.FOLDERS_PROPERTY, etc.toString()));
        write("io.cohort.jdbc.cfg", "relay.interval.ms=500\nRelay.interval.ms=100\n");
        DeployFolderCheck deployCheck = new DeployFolderCheck();

        deployCheck.activate(context);

        await().atMost(Duration.ofSeconds(20)).until(() -> configurationErrors().equals(
                List.of(new ConfigurationError("io.cohort.jdbc", JDBC_KEYS_MESSAGE))));
        deployCheck.deactivate();
        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void check_distinctKeys_noError() throws Exception {
        write("io.cohort.jdbc.cfg", "relay.interval.ms=500\npool.size=10\n# Relay.interval.ms=100\n");

        check.check(List.of(etc));

        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void check_unchangedFile_notReadAgain() throws Exception {
        Path file = write("io.cohort.jdbc.cfg", "relay.interval.ms=500\nRelay.interval.ms=100\n");

        List<Path> first = check.check(List.of(etc));
        List<Path> second = check.check(List.of(etc));

        assertEquals(List.of(file), first);
        assertEquals(List.of(), second);
        assertEquals(1, configurationErrors().size());
    }

    @Test
    public void check_fileFixed_withdrawsError() throws Exception {
        Path file = write("io.cohort.jdbc.cfg", "relay.interval.ms=500\nRelay.interval.ms=100\n");
        check.check(List.of(etc));

        rewrite(file, "relay.interval.ms=100\n");
        List<Path> read = check.check(List.of(etc));

        assertEquals(List.of(file), read);
        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void check_fileDeleted_withdrawsError() throws Exception {
        Path file = write("io.cohort.jdbc.cfg", "relay.interval.ms=500\nRelay.interval.ms=100\n");
        check.check(List.of(etc));

        Files.delete(file);
        check.check(List.of(etc));

        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void check_otherClashAfterChange_replacesError() throws Exception {
        Path file = write("io.cohort.core.cfg", "app.name=shop\nApp.Name=shop\n");
        check.check(List.of(etc));

        rewrite(file, "app.name=shop\nNODE.ID=n1\nnode.id=n1\n");
        check.check(List.of(etc));

        List<ConfigurationError> errors = configurationErrors();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).message(), errors.get(0).message().startsWith("keys NODE.ID and node.id differ"));
    }

    @Test
    public void check_otherExtension_ignored() throws Exception {
        write("notes.txt", "a=1\nA=2\n");

        assertEquals(List.of(), check.check(List.of(etc)));
    }

    @Test
    public void close_registeredError_withdrawn() throws Exception {
        write("io.cohort.jdbc.cfg", "relay.interval.ms=500\nRelay.interval.ms=100\n");
        check.check(List.of(etc));

        check.close();

        assertEquals(List.of(), configurationErrors());
        assertEquals(List.of(), check.check(List.of(etc)));
    }

    @Test
    public void check_lineWithoutKey_registersError() throws Exception {
        write("io.cohort.core.cfg", "cache.store=hazelcast\n=oops\n");

        check.check(List.of(etc));

        assertEquals(List.of(new ConfigurationError("io.cohort.core", "a line has no key before its = or :, so "
                + "FileInstall does not apply this file and the node keeps the settings it had before. Remove the "
                + "line or add its key")), configurationErrors());
    }

    @Test
    public void check_malformedEscape_registersError() throws Exception {
        write("io.cohort.core.cfg", "app.name=\\uZZZZ\n");

        check.check(List.of(etc));

        List<ConfigurationError> errors = configurationErrors();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).message(), errors.get(0).message().startsWith("it has a malformed \\u escape ("));
        assertTrue(errors.get(0).message(), errors.get(0).message().endsWith("Write \\u followed by four hex "
                + "digits, or \\\\ for a backslash"));
    }

    @Test
    public void check_validAgain_withdrawsError() throws Exception {
        Path file = write("io.cohort.core.cfg", "=oops\n");
        check.check(List.of(etc));

        Files.writeString(file, "cache.store=hazelcast\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        check.check(List.of(etc));

        assertEquals(List.of(), configurationErrors());
    }

    @Test
    public void caseClashes_continuationAndSeparators_parsedAsProperties() throws Exception {
        Path file = write("io.cohort.sample.tasks.cfg", "slots : 2\nSLOTS 3\nlong.value=a,\\\n  b\nLong.Value=c\n"
                + "! Slots=4\n");

        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        List<Set<String>> clashes = ConfigFileCheck.caseClashes(properties);

        assertEquals(List.of(Set.of("Long.Value", "long.value"), Set.of("SLOTS", "slots")), clashes);
        assertEquals("Long.Value and long.value, SLOTS and slots", ConfigFileCheck.describe(clashes));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(etc.resolve(name), content);
    }

    /** Replaces the content of {@code file} and moves its modification time ahead, so that the check reads it again. */
    private static void rewrite(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    }

    private List<ConfigurationError> configurationErrors() throws InvalidSyntaxException {
        List<ConfigurationError> errors = new ArrayList<>();
        for (ServiceReference<ConfigurationError> reference : context.getServiceReferences(ConfigurationError.class,
                null)) {
            errors.add(context.getService(reference));
            context.ungetService(reference);
        }
        return errors;
    }
}
