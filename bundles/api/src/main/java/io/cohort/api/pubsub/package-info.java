/**
 * Channels that broadcast JSON messages to every subscriber on every node, with debounce and the
 * skip-self and only-self delivery modes.
 */
@Export
@Version("0.1.0")
package io.cohort.api.pubsub;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
