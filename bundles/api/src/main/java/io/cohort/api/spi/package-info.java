/**
 * Adapter contracts. Each manager delegates storage and transport to an adapter registered as an OSGi
 * service with the {@code cohort.adapter.name} property, so that the same plugin code runs in process or on a
 * cluster. Plugins never call adapters.
 */
@Export
@Version("0.2.0")
package io.cohort.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
