package dev.reelay;

/**
 * The base of Reelay's exceptions: unchecked, and carrying the context a reader needs
 * (the recording, the endpoint or key, the attempts) in its message. Messages never hold a
 * secret, a token, a signature or a presigned query string.
 */
public class ReelayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReelayException(String message) {
        super(message);
    }

    public ReelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
