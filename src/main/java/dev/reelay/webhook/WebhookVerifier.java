package dev.reelay.webhook;

import dev.reelay.RecordingMetadata;
import dev.reelay.internal.Checks;
import dev.reelay.internal.webhook.SeenIds;
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
 *
 * <p>Secrets are taken as the official Standard Webhooks libraries take them: {@code whsec_}
 * followed by base64, or the base64 alone.
 *
 * <p><b>Duplicates and replays.</b> A valid webhook can arrive more than once: Reelay repeats a
 * delivery whose answer it did not get (a timeout, a reset) with the same {@code webhook-id},
 * and someone who captured a request can replay it within the tolerance window. Make processing
 * idempotent: upsert on {@code recording_id}, or drop a {@code webhook-id} you have already
 * processed. For the second, a verifier can remember the ids it verified
 * ({@link Builder#dropDuplicates(int)}): a repeat within the window then fails with
 * {@link Reason#DUPLICATE}. Answer it with 2xx, since the webhook was already taken; and call
 * {@link #forget(String)} when processing a verified webhook fails, or its retry would be dropped.
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.builder().secret(secret).dropDuplicates(100_000).build();
 * try {
 *     RecordingMetadata metadata = verifier.verify(request::getHeader, body);
 *     try {
 *         upsert(metadata);
 *     } catch (RuntimeException e) {
 *         verifier.forget(request.getHeader("webhook-id"));   // let Reelay's retry through
 *         throw e;
 *     }
 * } catch (WebhookVerificationException e) {
 *     return e.reason() == Reason.DUPLICATE ? ok() : badRequest();
 * }
 * }</pre>
 */
public final class WebhookVerifier {

    private final List<byte[]> keys;
    private final Duration tolerance;
    private final Clock clock;
    /** Null unless duplicates are dropped. */
    private final SeenIds seen;

    private WebhookVerifier(Builder b) {
        if (b.keys.isEmpty()) {
            throw new IllegalArgumentException("a verifier needs at least one secret");
        }
        this.keys = List.copyOf(b.keys);
        this.tolerance = Checks.positive(b.tolerance, "tolerance");
        if (tolerance.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("tolerance must be at most a day, was " + tolerance);
        }
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.seen = b.maxIds == 0 ? null : new SeenIds(b.maxIds);
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
        long tolerated = tolerance.getSeconds();
        // no Math.abs(now - seconds): a timestamp near Long.MIN_VALUE would overflow into the window
        if (seconds < now - tolerated || seconds > now + tolerated) {
            throw new WebhookVerificationException(Reason.STALE_TIMESTAMP, "webhook-timestamp is "
                    + (seconds < now ? "older" : "newer") + " than the " + tolerated + " s accepted either side of now");
        }
        if (!Signatures.matches(keys, id, seconds, body, signatures)) {
            throw new WebhookVerificationException(Reason.BAD_SIGNATURE, "no signature matches the secret");
        }
        RecordingMetadata metadata;
        try {
            metadata = RecordingMetadata.fromJson(body);
        } catch (IllegalArgumentException e) {
            throw new WebhookVerificationException(Reason.MALFORMED_PAYLOAD, "the body is not a metadata document: "
                    + e.getMessage(), e);
        }
        if (seen != null && !seen.firstTime(id, seconds + tolerated, now)) {
            throw new WebhookVerificationException(Reason.DUPLICATE, "this webhook-id was verified already within the "
                    + tolerated + " s window: a duplicate (a retry or a replay)");
        }
        return metadata;
    }

    /**
     * Forgets a {@code webhook-id} this verifier remembered ({@link Builder#dropDuplicates(int)}),
     * so that the same webhook verifies again: call it when processing a verified webhook failed.
     */
    public void forget(String webhookId) {
        if (seen != null && webhookId != null) {
            seen.forget(webhookId);
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
        return "WebhookVerifier{secrets=" + keys.size() + ", tolerance=" + tolerance
                + (seen == null ? "" : ", dropsDuplicates") + "}";
    }

    /** Collects the verifier's secrets and tolerance. */
    public static final class Builder {
        private final List<byte[]> keys = new ArrayList<>();
        private Duration tolerance = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private int maxIds;

        private Builder() {
        }

        /**
         * A secret, {@code whsec_} followed by base64 or the base64 alone; call again to accept
         * several during a rotation.
         */
        public Builder secret(String secret) {
            keys.add(Signatures.decodeSecret(secret));
            return this;
        }

        /**
         * Remembers the {@code webhook-id} of every webhook verified, until its timestamp leaves
         * the tolerance window, and fails a second one with the same id with
         * {@link Reason#DUPLICATE}. Off by default: Reelay repeats a delivery with the same id
         * when it did not get the answer, so a duplicate must be answered with 2xx (see the class
         * description). At most {@code maxIds} ids are kept (about 100 bytes each): when more
         * arrive within one window, the oldest are forgotten first.
         */
        public Builder dropDuplicates(int maxIds) {
            if (maxIds <= 0) {
                throw new IllegalArgumentException("maxIds must be > 0, was " + maxIds);
            }
            this.maxIds = maxIds;
            return this;
        }

        /** How far a timestamp may be from now. Default 5 minutes, at most a day. */
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
