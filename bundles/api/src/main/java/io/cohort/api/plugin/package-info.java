/**
 * The plugin contract: lifecycle hooks that the runtime calls, and the context a plugin receives.
 */
@Export
@Version("0.1.0")
package io.cohort.api.plugin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
