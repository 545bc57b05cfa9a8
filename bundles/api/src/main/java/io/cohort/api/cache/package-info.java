/**
 * Named caches whose entries every node of the application shares: get, set, delete, batch operations and
 * the {@code wrap} read-through helpers.
 */
@Export
@Version("0.1.0")
package io.cohort.api.cache;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
