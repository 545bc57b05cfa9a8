/**
 * Transactions on Cohort's database: {@link io.cohort.api.tx.TransactionManager} runs units of work, and the
 * {@link io.cohort.api.tx.Transaction} hooks let other services act only after a commit or after a rollback.
 */
@Export
@Version("0.1.0")
package io.cohort.api.tx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
