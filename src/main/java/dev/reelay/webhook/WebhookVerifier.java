package dev.reelay.webhook;

import dev.reelay.RecordingMetadata;
import dev.reelay.internal.Checks;
import dev.reelay.internal.webhook.Signatures;
import dev.reelay.webhook.WebhookVerificationException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * For Java receivers: checks that a webhook came from a Reelay holding the shared secret, and
 * was sent recently, per the Standard Webhooks specification; then reads the metadata.
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.builder().secret(System.getenv("WEBHOOK_SECRET")).build();
 *
 * // in the receiver's handler, with the raw body bytes as received:
 * RecordingMetadata metadata = verifier.verify(request::getHeader, body);
 * upsert(metadata.recordingId(), metadata);
 * }</pre>
 *
 * <p>Signatures are compared in constant time. During a rotation, give the verifier both the
 * old and the new secret: a webhook signed with either passes. Failures are
 * {@link WebhookVerificationException}s with a distinct {@link Reason}. Verify the bytes as
 * received: a body parsed and written again no longer matches its signature.
 */
public final class WebhookVerifier {

    private final List<byte[]> keys;
    private final Duration tolerance;
    private final Clock clock;

    private WebhookVerifier(Builder b) {
        if (b.keys.isEmpty()) {
            throw new IllegalArgumentException("a verifier needs at least one secret");
        }
        this.keys = List.copyOf(b.keys);
        this.tolerance = Checks.positive(b.tolerance, "tolerance");
        this.clock = Objects.requireNonNull(b.clock, "clock");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Verifies with headers looked up by name (any case), e.g. {@code request::getHeader}. */
    public RecordingMetadata verify(Function<String, String> headers, byte[] body) {
        String id = headers.apply("webhook-id");
        String timestamp = headers.apply("webhook-timestamp");
        String signatures = headers.apply("webhook-signature");
        if (isBlank(id) || isBlank(timestamp) || isBlank(signatures)) {
            throw new WebhookVerificationException(Reason.MISSING_HEADERS,
                    "the webhook-id, webhook-timestamp and webhook-signature headers are required");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new WebhookVerificationException(Reason.STALE_TIMESTAMP, "webhook-timestamp is not a number");
        }
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - seconds) > tolerance.getSeconds()) {
            throw new WebhookVerificationException(Reason.STALE_TIMESTAMP, "webhook-timestamp is " + (now - seconds)
                    + " s away from now; at most " + tolerance.getSeconds() + " s are accepted");
        }
        if (!Signatures.matches(keys, id, seconds, body, signatures)) {
            throw new WebhookVerificationException(Reason.BAD_SIGNATURE, "no signature matches the secret");
        }
        try {
            return RecordingMetadata.fromJson(body);
        } catch (IllegalArgumentException e) {
            throw new WebhookVerificationException(Reason.MALFORMED_PAYLOAD, "the body is not a metadata document: "
                    + e.getMessage(), e);
        }
    }

    /** Verifies with a map of headers; names are matched in any case. */
    public RecordingMetadata verify(Map<String, String> headers, byte[] body) {
        Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(headers);
        return verify(name -> byName.get(name.toLowerCase(Locale.ROOT)), body);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String toString() {
        return "WebhookVerifier{secrets=" + keys.size() + ", tolerance=" + tolerance + "}";
    }

    /** Collects the verifier's secrets and tolerance. */
    public static final class Builder {
        private final List<byte[]> keys = new ArrayList<>();
        private Duration tolerance = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** A {@code whsec_} secret; call again to accept several during a rotation. */
        public Builder secret(String secret) {
            keys.add(Signatures.decodeSecret(secret));
            return this;
        }

        /** How far a timestamp may be from now. Default 5 minutes. */
        public Builder tolerance(Duration tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /** The clock timestamps are checked against. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public WebhookVerifier build() {
            return new WebhookVerifier(this);
        }
    }
}
