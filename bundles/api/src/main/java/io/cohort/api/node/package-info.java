/**
 * Read-only views of the node: its identity, its adapters and the state of its plugins.
 */
@Export
@Version("0.1.0")
package io.cohort.api.node;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
