package dev.reelay.spring.boot.internal;

/**
 * A {@code reelay.*} property that cannot make a pipeline, with the property's name and why; never its
 * value (it may be a secret). Reported by {@link InvalidReelayPropertyFailureAnalyzer}.
 */
public final class InvalidReelayPropertyException extends IllegalStateException {

    private final String property;
    private final String reason;

    InvalidReelayPropertyException(String property, String reason) {
        super("Invalid property " + property + ": " + reason);
        this.property = property;
        this.reason = reason;
    }

    /** The property's full name, e.g. {@code reelay.store.bucket}. */
    public String property() {
        return property;
    }

    /** Why it is invalid. */
    public String reason() {
        return reason;
    }
}
