package io.cohort.api.spi;

/** The outcome of a field update on a cache entry, as {@link CacheRegion#putField} and its peers report it. */
public enum FieldChange {

    /** The entry was written. */
    CHANGED,

    /** The entry was left as it was, because the field to remove was not there or the key was absent. */
    UNCHANGED,

    /** The stored value is not a JSON object, so nothing was changed. */
    NOT_AN_OBJECT
}
