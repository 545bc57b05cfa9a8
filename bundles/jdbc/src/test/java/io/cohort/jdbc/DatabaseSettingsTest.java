package io.cohort.jdbc;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.not;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.Test;

public class DatabaseSettingsTest {

    private static final Path DATA = Path.of("/var/lib/cohort/data");

    @Test
    public void from_defaults_h2FileWithAutoServer() {
        DatabaseSettings settings = DatabaseSettings.from(config("", "sa", "", 10, 10_000), DATA);

        assertEquals("jdbc:h2:file:/var/lib/cohort/data/db/cohort;AUTO_SERVER=TRUE;WRITE_DELAY=0", settings.url());
        assertEquals("org.h2.Driver", settings.driverClass());
        assertEquals(Duration.ofSeconds(10), settings.connectionTimeout());
        assertTrue(settings.isH2AutoServer());
    }

    @Test
    public void withWriteOnCommit_embeddedH2File_appendsWriteDelayZero() {
        assertEquals("jdbc:h2:./data/x;WRITE_DELAY=0", DatabaseSettings.withWriteOnCommit("jdbc:h2:./data/x"));
    }

    @Test
    public void withWriteOnCommit_ownWriteDelay_keepsIt() {
        assertEquals("jdbc:h2:file:/x;write_delay=100",
                DatabaseSettings.withWriteOnCommit("jdbc:h2:file:/x;write_delay=100"));
    }

    @Test
    public void withWriteOnCommit_memoryTcpAndPostgres_unchanged() {
        for (String url : new String[] {"jdbc:h2:mem:x", "jdbc:h2:tcp://127.0.0.1/x",
            "jdbc:postgresql://127.0.0.1:5432/cohort"}) {
            assertEquals(url, DatabaseSettings.withWriteOnCommit(url));
        }
    }

    @Test
    public void from_postgresUrl_postgresDriver() {
        DatabaseSettings settings = DatabaseSettings.from(
                config("jdbc:postgresql://127.0.0.1:5432/cohort", "cohort", "pw", 5, 2_000), DATA);

        assertEquals("org.postgresql.Driver", settings.driverClass());
        assertFalse(settings.isH2AutoServer());
    }

    @Test
    public void from_invalidValues_namesSetting() {
        assertThat(message(config("mysql://x", "sa", "", 10, 10_000)), containsString("url 'mysql://x'"));
        assertThat(message(config("jdbc:mysql://127.0.0.1/x", "sa", "", 10, 10_000)),
                containsString("neither H2 nor PostgreSQL"));
        assertThat(message(config("", "sa", "", 0, 10_000)), containsString("pool.size 0"));
        assertThat(message(config("", "sa", "", 201, 10_000)), containsString("pool.size 201"));
        assertThat(message(config("", "sa", "", 10, 100)), containsString("connection.timeout.ms 100"));
    }

    @Test
    public void from_notNumbers_nameSettingValueAndRange() {
        assertEquals("pool.size 'lots' is not a whole number; expected 1 to 200",
                message(config("", "sa", "", "lots", "10000")));
        assertEquals("connection.timeout.ms '10s' is not a whole number; expected 250 to 600000",
                message(config("", "sa", "", "10", "10s")));
        assertEquals("pool.size '' is not a whole number; expected 1 to 200",
                message(config("", "sa", "", " ", "10000")));
        assertEquals("pool.size '99999999999999999999' is out of range; expected 1 to 200",
                message(config("", "sa", "", "99999999999999999999", "10000")));
    }

    @Test
    public void from_spacesAroundNumbers_accepted() {
        DatabaseSettings settings = DatabaseSettings.from(config("", "sa", "", " 5 ", "2000 "), DATA);

        assertEquals(5, settings.poolSize());
        assertEquals(Duration.ofSeconds(2), settings.connectionTimeout());
    }

    @Test
    public void invalidUrl_withPassword_messageMasksIt() {
        String error = message(config("mysql://x?password=hunter2", "sa", "other-secret", 10, 10_000));

        assertThat(error, not(containsString("hunter2")));
        assertThat(error, containsString("password=****"));
    }

    @Test
    public void toStringAndSafeUrl_leavePasswordOut() {
        DatabaseSettings settings = DatabaseSettings.from(
                config("jdbc:postgresql://127.0.0.1/cohort?user=c&password=hunter2", "c", "hunter2", 5, 2_000), DATA);

        assertThat(settings.toString(), not(containsString("hunter2")));
        assertEquals("jdbc:postgresql://127.0.0.1/cohort?user=c&password=****", settings.safeUrl());
        assertEquals("failed for ****", settings.withoutPassword("failed for hunter2"));
    }

    private static String message(DatabaseComponent.Config config) {
        return assertThrows(IllegalArgumentException.class, () -> DatabaseSettings.from(config, DATA)).getMessage();
    }

    /** Returns the component configuration with these settings, as configuration admin would give it. */
    static DatabaseComponent.Config config(String url, String user, String password, int poolSize,
            long timeoutMillis) {
        return config(url, user, password, String.valueOf(poolSize), String.valueOf(timeoutMillis));
    }

    /** Returns the component configuration with these settings as text, as a {@code .cfg} file gives them. */
    static DatabaseComponent.Config config(String url, String user, String password, String poolSize,
            String timeoutMillis) {
        return new DatabaseComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return DatabaseComponent.Config.class;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public String user() {
                return user;
            }

            @Override
            public String _password() {
                return password;
            }

            @Override
            public String pool_size() {
                return poolSize;
            }

            @Override
            public String connection_timeout_ms() {
                return timeoutMillis;
            }
        };
    }
}
