package io.cohort.jdbc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The validated database configuration (PID {@value DatabaseComponent#PID}).
 *
 * <p>{@link #toString()} and {@link #safeUrl()} leave the password out, so both may be logged.
 *
 * @param url the JDBC URL
 * @param user the database user
 * @param password the user's password; never logged
 * @param driverClass the JDBC driver class, chosen by the URL
 * @param poolSize the most connections the pool opens
 * @param connectionTimeout how long a caller waits for a pooled connection, and how long the first connection may
 *     take before the database counts as unreachable
 */
public record DatabaseSettings(String url, String user, String password, String driverClass, int poolSize,
        Duration connectionTimeout) {

    static final int MAX_POOL_SIZE = 200;
    static final long MIN_TIMEOUT_MS = 250;
    static final long MAX_TIMEOUT_MS = Duration.ofMinutes(10).toMillis();

    /**
     * H2 setting that makes every commit write the database file before it returns. By default H2 writes committed
     * changes in the background up to 500 ms later and keeps no log, so a node killed in that window loses
     * transactions it has already reported as committed, durable sync messages included.
     */
    static final String H2_WRITE_ON_COMMIT = ";WRITE_DELAY=0";

    /** {@code password=...} in a URL's parameters, as PostgreSQL ({@code ?&}) and H2 ({@code ;}) write them. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^;&]*");

    /**
     * Validates the configured values; an empty URL means the H2 file {@code <dataDir>/db/cohort}.
     *
     * @throws IllegalArgumentException naming the setting and the allowed values; never the password
     */
    static DatabaseSettings from(DatabaseComponent.Config config, Path dataDir) {
        String url = config.url() == null || config.url().isBlank() ? defaultUrl(dataDir) : config.url().trim();
        if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("url '" + mask(url) + "' is invalid; expected a JDBC URL such as "
                    + "jdbc:postgresql://127.0.0.1:5432/cohort, or empty for the H2 file in the data directory");
        }
        String driverClass = driverClass(url);
        url = withWriteOnCommit(url);
        int poolSize = (int) SettingValues.wholeNumber("pool.size", config.pool_size(), 1, MAX_POOL_SIZE);
        long timeout = SettingValues.wholeNumber("connection.timeout.ms", config.connection_timeout_ms(),
                MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
        String user = config.user() == null ? "" : config.user();
        String password = config._password() == null ? "" : config._password();
        return new DatabaseSettings(url, user, password, driverClass, poolSize, Duration.ofMillis(timeout));
    }

    /** Returns the URL of the default database: an H2 file that other processes on this machine can open too. */
    static String defaultUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("db").resolve("cohort").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    }

    /**
     * Returns {@code url} with {@value #H2_WRITE_ON_COMMIT} appended when it opens an embedded H2 file and sets no
     * {@code WRITE_DELAY} of its own; other URLs come back unchanged. The setting costs a file write per commit,
     * which goes to the operating system's page cache and so survives a killed process, though not a power loss.
     */
    static String withWriteOnCommit(String url) {
        String upper = url.toUpperCase(Locale.ROOT);
        boolean embeddedFile = upper.startsWith("JDBC:H2:") && !upper.startsWith("JDBC:H2:MEM:")
                && !upper.startsWith("JDBC:H2:TCP:") && !upper.startsWith("JDBC:H2:SSL:");
        if (!embeddedFile || upper.contains(";WRITE_DELAY=")) {
            return url;
        }
        return url + H2_WRITE_ON_COMMIT;
    }

    /** Returns whether the URL opens an H2 database in auto-server mode, which starts a TCP listener. */
    public boolean isH2AutoServer() {
        return url.startsWith("jdbc:h2:") && url.toUpperCase(Locale.ROOT).contains("AUTO_SERVER=TRUE");
    }

    /** Returns the URL with any {@code password=} parameter masked, for logs and error messages. */
    public String safeUrl() {
        return mask(url);
    }

    /** Returns {@code text} with the password replaced, for messages that quote the driver's error. */
    String withoutPassword(String text) {
        if (text == null) {
            return "";
        }
        String masked = mask(text);
        return password.isEmpty() ? masked : masked.replace(password, "****");
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + safeUrl() + ", user=" + user + ", driverClass=" + driverClass
                + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + "]";
    }

    private static String mask(String url) {
        return URL_PASSWORD.matcher(url).replaceAll("$1****");
    }

    /** Returns the driver of the URL's database; Cohort's migrations are written for H2 and PostgreSQL only. */
    private static String driverClass(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return "org.h2.Driver";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        throw new IllegalArgumentException("url '" + mask(url) + "' is neither H2 nor PostgreSQL; expected a URL "
                + "starting with jdbc:h2: or jdbc:postgresql:");
    }
}
