package io.cohort.jdbc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import io.cohort.api.node.ConfigurationError;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens Cohort's database, brings Cohort's tables up to date, and registers the pooled {@link DataSource} with the
 * service property {@value #DATASOURCE_PROPERTY}={@value #DATASOURCE_NAME}.
 *
 * <p>Activation checks the configuration and hands the rest to the thread {@value #OPENER_THREAD}. That thread opens
 * the pool and its first connection, runs the migrations, and registers the DataSource once all of that succeeded.
 * The thread that activates the component (at node start, the framework's start-level thread) goes on at once, so
 * the bundles of later start levels start while the database opens. Whatever needs the database waits for the
 * DataSource service, or for the transaction manager and the sync outbox that need it.
 *
 * <p>Each key of the configuration that neither this component nor the sync outbox reads, such as a misspelt
 * {@code pool.szie}, is logged as a WARN naming the key, the PID and the known settings. The WARN comes once per key
 * each time the configuration is read, from this component alone.
 *
 * <p>An invalid configuration is logged as one ERROR naming the setting, its value and what is allowed, and is
 * registered as a {@link ConfigurationError} for {@code cohort:info}. The database then stays closed. A database
 * that cannot be reached or rejects the user is logged as an ERROR naming the URL and the user (never the
 * password), and the DataSource is not registered. Either way the transaction manager and the sync outbox stay
 * unsatisfied, and the rest of the node keeps running; fixing the configuration brings them back.
 *
 * <p>Deactivation waits until a running open has ended, so it never leaves a pool or the opening thread behind;
 * that wait is bounded by {@code connection.timeout.ms} for the first connection plus the time the migrations take,
 * as the activation itself was before the open moved to its own thread.
 */
@Component(configurationPid = DatabaseComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DatabaseComponent {

    /** The configuration PID, read from {@code etc/io.cohort.jdbc.cfg} in the distribution. */
    public static final String PID = "io.cohort.jdbc";

    /** Service property that marks Cohort's DataSource among any others in the framework. */
    public static final String DATASOURCE_PROPERTY = "cohort.datasource";

    /** Value of {@link #DATASOURCE_PROPERTY} on Cohort's DataSource. */
    public static final String DATASOURCE_NAME = "cohort";

    /** Target filter of references to Cohort's DataSource. */
    public static final String DATASOURCE_TARGET = "(" + DATASOURCE_PROPERTY + "=" + DATASOURCE_NAME + ")";

    /** Framework property with the node's data directory, the same one the core bundle reads. */
    static final String DATA_DIR_PROPERTY = "cohort.data";

    /** JVM property that H2 reads, once, for the address of the TCP listener an auto-server database opens. */
    static final String H2_BIND_ADDRESS = "h2.bindAddress";

    /** Name of the thread that opens the database and registers the DataSource. */
    static final String OPENER_THREAD = "cohort-db-open";

    /** The settings of {@value #PID}: those this component reads and the {@code relay.*} ones of the sync outbox. */
    static final SortedSet<String> KNOWN_KEYS = Collections.unmodifiableSortedSet(new TreeSet<>(Set.of("url",
            "user", ".password", "pool.size", "connection.timeout.ms", "relay.interval.ms", "relay.batch.size",
            "relay.claim.ms", "relay.retry.delay.ms")));

    /** Prefixes of the properties that configuration admin, FileInstall and SCR add to every configuration. */
    private static final Set<String> FRAMEWORK_PREFIXES = Set.of("service.", "component.", "felix.", "osgi.",
            "objectClass");

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseComponent.class);

    private final Object lock = new Object();
    private volatile Thread opener;
    private volatile String safeUrl;
    /** Whether {@link #deactivate} has begun, so that an open which ends afterwards closes its pool again. */
    private boolean stopping;
    private HikariDataSource pool;
    private ServiceRegistration<DataSource> registration;
    private ServiceRegistration<ConfigurationError> invalidConfiguration;
    /** The settings of the database this component opened, or {@code null} while its configuration is invalid. */
    private DatabaseSettings current;

    /** The database configuration. Every setting has a default, so the file is optional. */
    public @interface Config {

        /**
         * JDBC URL, {@code jdbc:h2:} or {@code jdbc:postgresql:}. Empty means the H2 file
         * {@code <cohort.data>/db/cohort} with {@code AUTO_SERVER=TRUE}, which the nodes on one machine share.
         */
        String url() default "";

        /** Database user. */
        String user() default "sa";

        /**
         * The user's password, setting {@code .password}. Never logged. The leading dot keeps it out of the service
         * properties of every component that reads this configuration.
         */
        String _password() default "";

        /**
         * Maximum connections in the pool, 1 to 200. Too low makes transactions wait for a connection; too high can
         * exceed the database's connection limit when many nodes share it.
         */
        String pool_size() default "10";

        /**
         * Milliseconds a caller waits for a pooled connection, and that the first connection may take at start,
         * 250 to 600000. Too low fails transactions under load; too high delays the error when the database is down.
         */
        String connection_timeout_ms() default "10000";
    }

    @Activate
    void activate(BundleContext context, Config config, Map<String, Object> properties) throws IOException {
        warnAboutUnknownKeys(properties);
        start(context, config);
    }

    /** Checks the settings and starts {@link #opener} when they are valid, or reports them as invalid. */
    private void start(BundleContext context, Config config) throws IOException {
        DatabaseSettings settings;
        try {
            settings = DatabaseSettings.from(config, dataDir(context));
        } catch (IllegalArgumentException e) {
            // Logged here and not thrown, because bad input in a file that operators edit is expected, and SCR would
            // log a stack trace for an exception that the message already explains.
            LOG.error("Configuration {} is invalid, so the database stays closed and the transaction manager and the "
                    + "sync outbox stay stopped until it is fixed: {}", PID, e.getMessage());
            invalidConfiguration = context.registerService(ConfigurationError.class,
                    new ConfigurationError(PID, e.getMessage()), null);
            return;
        }
        current = settings;
        safeUrl = settings.safeUrl();
        if (settings.isH2AutoServer()) {
            requireLoopbackH2Listener();
        }
        LOG.info("Opening database {} as user '{}' with at most {} connections", safeUrl, settings.user(),
                settings.poolSize());

        opener = new Thread(() -> open(context, settings), OPENER_THREAD);
        opener.setDaemon(true);
        opener.setUncaughtExceptionHandler((thread, e) -> LOG.error("Opening database {} failed; the transaction "
                + "manager and the sync outbox stay stopped", safeUrl, e));
        opener.start();
    }

    /** Runs on {@link #opener}: opens the pool, migrates, and registers the DataSource unless the component stopped. */
    private void open(BundleContext context, DatabaseSettings settings) {
        HikariDataSource opened = null;
        try {
            opened = ConnectionPools.open(settings);
            new SchemaMigrator().migrate(opened, safeUrl);
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            LOG.error("Database {} is not available; the transaction manager and the sync outbox stay stopped: {}",
                    safeUrl, e.getMessage());
            return;
        }

        synchronized (lock) {
            if (stopping) {
                opened.close();
                LOG.info("Database {} finished opening after its component stopped; its pool is closed again",
                        safeUrl);
                return;
            }
            pool = opened;
        }
        LOG.info("Database {} is ready", safeUrl);

        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(DATASOURCE_PROPERTY, DATASOURCE_NAME);
        // Registered outside the lock: the registration activates the transaction manager and the sync outbox on
        // this thread, and deactivate waits for this thread to end before it reads the registration.
        ServiceRegistration<DataSource> registered = context.registerService(DataSource.class,
                new CohortDataSource(opened, safeUrl), properties);
        synchronized (lock) {
            registration = registered;
        }
    }

    /**
     * Keeps the database open when a change of its configuration leaves the database settings as they were, such as
     * a change to the sync outbox relay's settings alone. Any other change closes the database and opens it with the
     * new settings, as a restart of the component would.
     */
    @Modified
    void modified(BundleContext context, Config config, Map<String, Object> properties) throws IOException {
        warnAboutUnknownKeys(properties);
        if (current != null && current.equals(requestedOrNull(config, context))) {
            LOG.info("Configuration {} changed, but not the settings of database {}; it stays open", PID, safeUrl);
            return;
        }
        deactivate();
        synchronized (lock) {
            stopping = false;
        }
        opener = null;
        current = null;
        start(context, config);
    }

    /** Logs one WARN for each key that is not a setting of {@value #PID}, such as a misspelt one. */
    private static void warnAboutUnknownKeys(Map<String, Object> properties) {
        for (String key : unknownKeys(properties)) {
            LOG.warn("Ignoring unknown setting '{}' in configuration {} (etc/{}.cfg); known settings: {}", key, PID,
                    PID, KNOWN_KEYS);
        }
    }

    /** Returns the keys of {@code properties}, sorted, that are neither settings nor added by the framework. */
    static Set<String> unknownKeys(Map<String, Object> properties) {
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeIf(key -> KNOWN_KEYS.contains(key) || FRAMEWORK_PREFIXES.stream().anyMatch(key::startsWith));
        return unknown;
    }

    /** Returns the settings of {@code config}, or {@code null} when they are invalid, which activation reports. */
    private static DatabaseSettings requestedOrNull(Config config, BundleContext context) throws IOException {
        try {
            return DatabaseSettings.from(config, dataDir(context));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Deactivate
    void deactivate() {
        if (invalidConfiguration != null) {
            invalidConfiguration.unregister();
            invalidConfiguration = null;
            return;
        }
        synchronized (lock) {
            stopping = true;
        }
        awaitOpener();

        ServiceRegistration<DataSource> registered;
        HikariDataSource opened;
        synchronized (lock) {
            registered = registration;
            registration = null;
            opened = pool;
            pool = null;
        }
        if (registered != null) {
            registered.unregister();
        }
        if (opened != null) {
            opened.close();
        }
        LOG.info("Database {} closed", safeUrl);
    }

    /**
     * Waits until {@link #opener} has ended, however often this thread is interrupted, so that no pool or
     * registration appears after the component stopped; the interrupt flag is restored afterwards.
     */
    private void awaitOpener() {
        Thread running = opener;
        if (running == null) {
            return;
        }
        if (running.isAlive()) {
            LOG.info("Database {} is still opening; closing it once the open has ended", safeUrl);
        }
        boolean interrupted = false;
        while (true) {
            try {
                running.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static Path dataDir(BundleContext context) throws IOException {
        String configured = context.getProperty(DATA_DIR_PROPERTY);
        Path dir = configured == null || configured.isBlank()
                ? Paths.get(System.getProperty("user.dir"), "data")
                : Paths.get(configured);
        return Files.createDirectories(dir.toAbsolutePath().normalize());
    }

    /**
     * Makes the TCP listener of an H2 auto-server database bind to loopback. H2 reads the property when its
     * settings class loads, so this helps only if no H2 database was opened in this JVM before; the launcher
     * should pass {@code -Dh2.bindAddress=127.0.0.1} itself.
     */
    static void requireLoopbackH2Listener() {
        String current = System.getProperty(H2_BIND_ADDRESS);
        if (current == null || current.isBlank()) {
            System.setProperty(H2_BIND_ADDRESS, "127.0.0.1");
            LOG.info("Set {}=127.0.0.1 so that the H2 auto-server listener accepts local connections only",
                    H2_BIND_ADDRESS);
        } else if (!current.equals("127.0.0.1") && !current.equals("localhost")) {
            LOG.warn("{} is {}, so other hosts can reach the H2 auto-server listener", H2_BIND_ADDRESS, current);
        }
    }
}
