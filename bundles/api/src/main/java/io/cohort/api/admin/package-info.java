/**
 * Operator views of a node and of the cluster: what each node's caches, pub/sub channels, queues, locks and sync
 * channels are doing. The package also has the few write operations an operator needs: set or delete a cache entry,
 * publish a message or a task, retry a dead letter. The Gogo commands of the shell are built on these services.
 *
 * <p>Every row names the node it comes from, so rows of several nodes can be listed together.
 * {@link io.cohort.api.admin.NodeAdmin} serves the local node. {@link io.cohort.api.admin.ClusterAdmin} asks
 * every node and lists those that do not respond in time.
 */
@Export
@Version("0.1.0")
package io.cohort.api.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
