/**
 * The event queue: tasks published on a channel and run by one consumer, with concurrency limits, idle
 * gating, timeouts with cancellation, retries and dead letters.
 */
@Export
@Version("0.1.0")
package io.cohort.api.queue;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
