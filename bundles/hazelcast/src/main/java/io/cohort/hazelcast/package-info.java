/**
 * Cohort's cluster mode: an embedded Hazelcast member and the cache, pub/sub, event queue and lock adapters named
 * {@code hazelcast} on top of it. Nothing here is exported; the managers reach the adapters through their SPI
 * services only.
 */
package io.cohort.hazelcast;
