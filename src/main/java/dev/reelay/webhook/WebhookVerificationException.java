package dev.reelay.webhook;

import dev.reelay.ReelayException;

/** A webhook that a receiver must not trust, and why. */
public class WebhookVerificationException extends ReelayException {

    private static final long serialVersionUID = 1L;

    /** Why verification failed. */
    public enum Reason {
        /** {@code webhook-id}, {@code webhook-timestamp} or {@code webhook-signature} is absent. */
        MISSING_HEADERS,
        /** The timestamp is not a number, or further from now than the tolerance. */
        STALE_TIMESTAMP,
        /** No signature matches any of the secrets: tampered body, wrong secret, or forged. */
        BAD_SIGNATURE,
        /** The signature matches but the body is not a metadata document. */
        MALFORMED_PAYLOAD,
        /**
         * Valid, but its {@code webhook-id} was verified already within the tolerance window: a
         * retry or a replay ({@code WebhookVerifier.Builder.dropDuplicates}). Answer it with 2xx.
         */
        DUPLICATE
    }

    private final Reason reason;

    public WebhookVerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public WebhookVerificationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
