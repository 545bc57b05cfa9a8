/**
 * Named locks with a lease (ttl), fence tokens and a distinct outcome when the lease is lost.
 */
@Export
@Version("0.1.0")
package io.cohort.api.lock;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
