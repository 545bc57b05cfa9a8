package io.cohort.core.node;

/**
 * Implemented by the per-bundle manager views, so that the plugin runtime can release what a plugin's bundle holds
 * when the plugin unloads while its bundle keeps running, as when a plugin it depends on goes away. The view stays
 * usable afterwards, so the plugin can subscribe again when it loads again.
 */
public interface HeldResources {

    /**
     * Closes the subscriptions and consumers and releases the locks that the bundle holds through this view.
     *
     * @return how many resources were released
     */
    int releaseHeld();
}
