package io.cohort.jdbc;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.not;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertThrows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class ConnectionPoolsTest {

    private static final String PASSWORD = "s3cret-Pa55word";

    @Rule
    public final Timeout timeout = Timeout.seconds(60);

    @Rule
    public final TestDatabase database = TestDatabase.h2();

    @Test
    public void open_unreachableUrl_namesUrlNotPassword() {
        String url = "jdbc:postgresql://127.0.0.1:1/cohort?password=" + PASSWORD + "&ssl=false";
        DatabaseSettings settings = new DatabaseSettings(url, "cohort", PASSWORD, "org.postgresql.Driver", 2,
                Duration.ofMillis(500));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> ConnectionPools.open(settings));

        assertThat(error.getMessage(), containsString("jdbc:postgresql://127.0.0.1:1/cohort?password=****&ssl=false"));
        assertThat(error.getMessage(), containsString("user 'cohort'"));
        assertThat(error.getMessage(), not(containsString(PASSWORD)));
    }

    @Test
    public void open_wrongPassword_namesUrlNotPassword() throws Exception {
        try (Connection created = DriverManager.getConnection(database.url(), "owner", "right-password")) {
            // The first connection creates the database and its user "owner" with that password.
        }
        DatabaseSettings settings = new DatabaseSettings(database.url(), "owner", PASSWORD, "org.h2.Driver", 2,
                Duration.ofMillis(500));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> ConnectionPools.open(settings));

        assertThat(error.getMessage(), containsString(database.url()));
        assertThat(error.getMessage(), containsString("Wrong user name or password"));
        assertThat(error.getMessage(), not(containsString(PASSWORD)));
        assertThat(error.getMessage(), not(containsString("right-password")));
        assertThat(String.valueOf(error.getCause()), not(containsString(PASSWORD)));
    }

    @Test
    public void open_driverMessageQuotesPassword_masked() {
        String url = "jdbc:h2:file:" + System.getProperty("java.io.tmpdir") + "/cohort-missing;IFEXISTS=TRUE;"
                + "PASSWORD=" + PASSWORD;
        DatabaseSettings settings = new DatabaseSettings(url, "sa", PASSWORD, "org.h2.Driver", 2,
                Duration.ofMillis(500));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> ConnectionPools.open(settings));

        assertThat(error.getMessage(), containsString("PASSWORD=****"));
        assertThat(error.getMessage(), not(containsString(PASSWORD)));
    }
}
