package dev.reelay.storage;

import dev.reelay.ReelayException;

/**
 * An object could not be stored (or looked up). Says which key, after how many attempts,
 * the store's HTTP status and error code when it answered, and whether a later try may
 * succeed.
 */
public class ObjectStoreException extends ReelayException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final int statusCode;
    private final String errorCode;
    private final int attempts;
    private final boolean retryable;

    public ObjectStoreException(String key, int statusCode, String errorCode, int attempts, boolean retryable,
                                String message, Throwable cause) {
        super(message, cause);
        this.key = key;
        this.statusCode = statusCode;
        this.errorCode = errorCode;
        this.attempts = attempts;
        this.retryable = retryable;
    }

    /** The object key. */
    public String key() {
        return key;
    }

    /** The store's HTTP status, or 0 when it never answered (connection error, timeout). */
    public int statusCode() {
        return statusCode;
    }

    /** The store's error code (e.g. {@code NoSuchBucket}), or null. */
    public String errorCode() {
        return errorCode;
    }

    /** The requests made before giving up. */
    public int attempts() {
        return attempts;
    }

    /** Whether a later try may succeed (a timeout, a 5xx) rather than fail the same way. */
    public boolean retryable() {
        return retryable;
    }
}
