/**
 * The transaction hooks that other services use to act only after a commit or after a rollback.
 */
@Export
@Version("0.1.0")
package io.cohort.api.tx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
