package io.cohort.api.tx;

/**
 * Thrown by {@link TransactionManager} when the database fails to begin or commit a transaction, or when a
 * transaction rolled back because a nested unit of work threw and the outer work caught the exception and returned.
 * The cause is the database's exception or the nested unit of work's exception.
 */
public class TransactionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TransactionException(String message, Throwable cause) {
        super(message, cause);
    }
}
