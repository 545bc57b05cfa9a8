package io.cohort.api.node;

/** The lifecycle state of a plugin. */
public enum PluginState {

    /** Waiting for plugins it depends on to load. */
    WAITING,

    /** Its {@code beforeLoad} or {@code load} hook is running. */
    LOADING,

    /** Both load hooks returned. */
    LOADED,

    /** Its {@code unload} hook is running. */
    UNLOADING,

    /** Unloaded; its service is gone. */
    UNLOADED,

    /** A hook threw or timed out, or its service properties are invalid; see the last error. */
    FAILED
}
