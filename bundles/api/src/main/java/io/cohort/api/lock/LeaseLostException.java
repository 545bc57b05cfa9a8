package io.cohort.api.lock;

/**
 * Thrown when a lock's lease ran out while its holder was still working, so another holder may have taken the key.
 * Work done under the lost lease was not exclusive; compare fence tokens to reject its writes.
 */
public class LeaseLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final long fenceToken;

    public LeaseLostException(String key, long fenceToken, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
        this.fenceToken = fenceToken;
    }

    /** Returns the lock key, without the application prefix. */
    public String key() {
        return key;
    }

    /** Returns the fence token of the lost grant. */
    public long fenceToken() {
        return fenceToken;
    }
}
