/**
 * Read-only views of the node: its identity, its adapters, the state of its plugins and the configurations it
 * rejected.
 */
@Export
@Version("0.2.0")
package io.cohort.api.node;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
