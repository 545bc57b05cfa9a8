package io.cohort.jdbc;

import java.util.List;

import javax.sql.DataSource;

import io.cohort.jdbc.migration.V1__CreateSyncOutbox;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings Cohort's own tables up to date with Flyway, once per database however many nodes start at the same time.
 *
 * <p>Flyway takes a lock before it reads its history table ({@value #HISTORY_TABLE}): a PostgreSQL advisory lock,
 * and on H2 a row lock on the history table. A node that starts while another migrates waits, then finds the
 * migrations applied and runs none. When several nodes create the history table at once, Flyway retries the
 * creation that lost the race, but not a baseline that lost it. A node that finds no history table in a schema
 * that is not empty baselines, and the other node's new history table is enough to make the schema not empty. The
 * baseline then fails because the table exists ("Unable to baseline schema history table ... as it already
 * exists, and is empty", seen with Flyway 11 on PostgreSQL). So a failed migration is tried again, up to
 * {@value #ATTEMPTS} times, and the next attempt finds the history table and waits for the other node's lock.
 *
 * <p>The migrations are Java classes handed to Flyway as objects, and no locations are given, so Flyway scans no
 * class path and needs nothing from OSGi beyond this bundle's class loader, through which it finds its database
 * plugins in the embedded jars. Checked in Felix 7.0.5: the migrations ran on H2, and that class loader listed the
 * plugin files of both embedded jars, so Flyway also found its PostgreSQL database type.
 */
final class SchemaMigrator {

    /** Flyway's history table for Cohort's tables, apart from any history table of the plugins' own Flyway. */
    static final String HISTORY_TABLE = "cohort_schema_history";

    /** How many times {@link #migrate} runs Flyway before it gives up. */
    static final int ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

    private final List<JavaMigration> migrations;

    /** Creates a migrator of Cohort's tables. */
    SchemaMigrator() {
        this(List.of(new V1__CreateSyncOutbox()));
    }

    /** Creates a migrator that applies {@code migrations}; tests pass migrations that count their runs. */
    SchemaMigrator(List<JavaMigration> migrations) {
        this.migrations = List.copyOf(migrations);
    }

    /**
     * Applies the migrations that {@code dataSource}'s database lacks and returns how many ran here.
     *
     * @param safeUrl the URL for messages, password masked
     * @throws IllegalStateException naming the URL if a migration or Flyway's lock failed
     */
    int migrate(DataSource dataSource, String safeUrl) {
        Flyway flyway = Flyway.configure(SchemaMigrator.class.getClassLoader())
                .dataSource(dataSource)
                .table(HISTORY_TABLE)
                .locations(new String[0])
                .javaMigrations(migrations.toArray(JavaMigration[]::new))
                // A database that already contains the plugins' tables has no Cohort history yet: start it at 0.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .loggers("slf4j")
                .load();
        MigrateResult result = null;
        for (int attempt = 1; result == null; attempt++) {
            try {
                result = flyway.migrate();
            } catch (FlywayException e) {
                if (attempt == ATTEMPTS) {
                    throw new IllegalStateException("migrating Cohort's tables in database " + safeUrl + " failed "
                            + ATTEMPTS + " times; last: " + e.getMessage(), e);
                }
                LOG.warn("Migrating Cohort's tables in database {} failed (attempt {} of {}), possibly in a race "
                        + "with another node that migrates it; trying again: {}", safeUrl, attempt, ATTEMPTS,
                        e.getMessage());
            }
        }
        LOG.info("Cohort's tables in database {} are at schema version {}; {} migrations ran on this node",
                safeUrl, result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
                result.migrationsExecuted);
        return result.migrationsExecuted;
    }
}
