/**
 * Sync messages: state-change notices sent to the same plugin on the other nodes, after the database
 * transaction that made the change commits.
 */
@Export
@Version("0.1.0")
package io.cohort.api.sync;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
