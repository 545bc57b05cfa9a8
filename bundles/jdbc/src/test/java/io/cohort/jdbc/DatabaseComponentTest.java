package io.cohort.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.cohort.api.node.ConfigurationError;
import io.cohort.core.testing.FelixFramework;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Runs the database component in a real Felix framework, with the system bundle's context in place of the jdbc
 * bundle's. The DataSource registers only once the database is open and migrated, and a stop leaves no pool, thread
 * or service behind, also when it comes while the database is still opening.
 */
public class DatabaseComponentTest {

    /** Nothing listens here; the test checks it first. */
    private static final int UNREACHABLE_PORT = 6098;

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Rule
    public final FelixFramework felix = new FelixFramework(DatabaseComponent.DATA_DIR_PROPERTY);

    private BundleContext context;

    @Before
    public void useSystemBundleContext() {
        context = felix.context();
    }

    @Test(timeout = 60_000)
    public void activate_h2_registersDataSourceOnceMigrated() throws Exception {
        DatabaseComponent component = new DatabaseComponent();
        Path database = temp.newFolder("db").toPath().resolve("cohort");

        component.activate(context, config("jdbc:h2:file:" + database), Map.of());
        await().atMost(OPEN_TIMEOUT).until(() -> dataSources().size() == 1);

        ServiceReference<DataSource> reference = dataSources().iterator().next();
        DataSource dataSource = context.getService(reference);
        assertNotNull(dataSource);
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet history = statement.executeQuery("select count(*) from \""
                        + SchemaMigrator.HISTORY_TABLE + "\" where \"version\" = '1' and \"success\"")) {
            history.next();
            assertEquals("successful runs of migration 1", 1, history.getInt(1));
        }

        component.deactivate();
        assertEquals(List.of(), List.copyOf(dataSources()));
        assertThrows(SQLException.class, dataSource::getConnection);
        awaitNoDatabaseThreads();
        assertUnlocked(database.resolveSibling("cohort.mv.db"));
    }

    @Test(timeout = 60_000)
    public void deactivate_whileOpening_leavesNothing() throws Exception {
        DatabaseComponent component = new DatabaseComponent();
        component.activate(context, config("jdbc:h2:file:" + temp.newFolder("db").toPath().resolve("cohort")),
                Map.of());

        component.deactivate();

        assertFalse("opener thread still alive", databaseThreads().contains(DatabaseComponent.OPENER_THREAD));
        assertEquals(List.of(), List.copyOf(dataSources()));
        awaitNoDatabaseThreads();
    }

    @Test(timeout = 60_000)
    public void activate_unreachableDatabase_registersNothing() throws Exception {
        requireNothingListening(UNREACHABLE_PORT);
        DatabaseComponent component = new DatabaseComponent();

        component.activate(context, config("jdbc:postgresql://127.0.0.1:" + UNREACHABLE_PORT + "/cohort"),
                Map.of());
        await().atMost(OPEN_TIMEOUT).until(() -> !databaseThreads().contains(DatabaseComponent.OPENER_THREAD));

        assertEquals(List.of(), List.copyOf(dataSources()));
        component.deactivate();
        awaitNoDatabaseThreads();
    }

    @Test(timeout = 60_000)
    public void modified_sameDatabaseSettings_keepsDataSource() throws Exception {
        DatabaseComponent component = new DatabaseComponent();
        String url = "jdbc:h2:file:" + temp.newFolder("db").toPath().resolve("cohort");
        component.activate(context, config(url), Map.of());
        await().atMost(OPEN_TIMEOUT).until(() -> dataSources().size() == 1);
        ServiceReference<DataSource> opened = dataSources().iterator().next();

        // The configuration the component receives when only a relay.* setting of its file changed.
        component.modified(context, config(url), Map.of());

        assertEquals(List.of(opened), List.copyOf(dataSources()));

        component.modified(context, DatabaseSettingsTest.config(url, "sa", "", "3", "2000"), Map.of());
        await().atMost(OPEN_TIMEOUT).until(() -> dataSources().size() == 1 && !dataSources().contains(opened));
        component.deactivate();
        awaitNoDatabaseThreads();
    }

    @Test(timeout = 60_000)
    public void activate_notNumber_registersConfigurationErrorOnly() throws Exception {
        DatabaseComponent component = new DatabaseComponent();

        component.activate(context, DatabaseSettingsTest.config("jdbc:h2:mem:x", "sa", "", "lots", "2000"),
                Map.of());

        assertEquals(List.of(), List.copyOf(dataSources()));
        assertFalse("opener thread started", databaseThreads().contains(DatabaseComponent.OPENER_THREAD));
        assertEquals(List.of(new ConfigurationError(DatabaseComponent.PID,
                "pool.size 'lots' is not a whole number; expected 1 to 200")), configurationErrors());
        component.deactivate();
        assertEquals(List.of(), configurationErrors());
    }

    @Test(timeout = 60_000)
    public void activate_misspeltKey_warnsNamingIt() throws Exception {
        DatabaseComponent component = new DatabaseComponent();
        String url = "jdbc:h2:file:" + temp.newFolder("db").toPath().resolve("cohort");
        Map<String, Object> properties = Map.of("url", url, "pool.szie", "4", "relay.batch.size", "50",
                ".password", "", "service.pid", DatabaseComponent.PID,
                "felix.fileinstall.filename", "file:/opt/cohort/etc/io.cohort.jdbc.cfg");

        String log;
        try {
            log = LogCapture.capture(() -> component.activate(context, config(url), properties));
            await().atMost(OPEN_TIMEOUT).until(() -> dataSources().size() == 1);
        } finally {
            component.deactivate();
            awaitNoDatabaseThreads();
        }

        List<String> warnings = LogCapture.linesWith(log, "Ignoring unknown setting");
        assertEquals(log, 1, warnings.size());
        String warning = warnings.get(0);
        assertTrue(warning, warning.contains(" WARN "));
        assertTrue(warning, warning.contains("'pool.szie' in configuration io.cohort.jdbc (etc/io.cohort.jdbc.cfg)"));
        assertTrue(warning, warning.contains("known settings: [.password, connection.timeout.ms, pool.size, "
                + "relay.batch.size, relay.claim.ms, relay.interval.ms, relay.retry.delay.ms, url, user]"));
    }

    @Test(timeout = 60_000)
    public void modified_misspeltKeyWithNewPool_warnsOnce() throws Exception {
        DatabaseComponent component = new DatabaseComponent();
        String url = "jdbc:h2:file:" + temp.newFolder("db").toPath().resolve("cohort");
        String log;
        try {
            component.activate(context, config(url), Map.of("url", url));
            await().atMost(OPEN_TIMEOUT).until(() -> dataSources().size() == 1);

            log = LogCapture.capture(() -> component.modified(context,
                    DatabaseSettingsTest.config(url, "sa", "", "3", "2000"),
                    Map.of("url", url, "pool.size", "3", "connection.timeout", "2000")));
        } finally {
            component.deactivate();
            awaitNoDatabaseThreads();
        }

        assertEquals(log, 1, LogCapture.linesWith(log, "Ignoring unknown setting 'connection.timeout'").size());
        assertEquals(log, 1, LogCapture.linesWith(log, "Ignoring unknown setting").size());
    }

    @Test
    public void unknownKeys_frameworkAndKnownKeys_excluded() {
        Map<String, Object> properties = Map.of("url", "jdbc:h2:mem:x", "relay.claim.ms", "1000",
                "component.name", "io.cohort.jdbc.DatabaseComponent", "component.id", 7L,
                "service.pid", DatabaseComponent.PID, "objectClass", new String[0], "user ", "sa", "Url", "x");

        assertEquals(Set.of("Url", "user "), DatabaseComponent.unknownKeys(properties));
    }

    private List<ConfigurationError> configurationErrors() throws InvalidSyntaxException {
        return context.getServiceReferences(ConfigurationError.class, null).stream()
                .map(context::getService)
                .collect(Collectors.toList());
    }

    private Collection<ServiceReference<DataSource>> dataSources() throws InvalidSyntaxException {
        return context.getServiceReferences(DataSource.class, DatabaseComponent.DATASOURCE_TARGET);
    }

    /** Returns the names of the live threads of the pool and of the opener, which start with the pool's name. */
    private static List<String> databaseThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(ConnectionPools.POOL_NAME))
                .collect(Collectors.toList());
    }

    private static void awaitNoDatabaseThreads() {
        await().atMost(Duration.ofSeconds(10)).until(() -> databaseThreads().isEmpty());
    }

    /**
     * Checks that no database in this JVM holds the H2 file open: H2 locks an open file with a {@link FileLock},
     * and a second lock on it from the same JVM throws {@link OverlappingFileLockException}.
     */
    private static void assertUnlocked(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            assertNotNull("another process locks " + file, lock);
        } catch (OverlappingFileLockException e) {
            throw new AssertionError("the database " + file + " is still open after its component stopped", e);
        }
    }

    private static void requireNothingListening(int port) throws IOException {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            throw new AssertionError("a process listens on 127.0.0.1:" + port + ", which this test needs unused");
        } catch (ConnectException expected) {
            // Refused: nothing listens, as the test needs.
        }
    }

    private static DatabaseComponent.Config config(String url) {
        return DatabaseSettingsTest.config(url, "sa", "", 2, 2_000);
    }
}
