package io.cohort.api.cache;

/** Thrown by the {@code wrap} methods when the loader failed; the cause is what the loader threw. */
public class CacheLoaderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CacheLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
