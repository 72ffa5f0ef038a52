package dev.reelay.outbox;

import dev.reelay.internal.webhook.ReceiverText;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the attempt log: one request of a webhook delivery, or one run's upload of one
 * file, with how it ended. The journal keeps them with their recording (at most
 * {@link #KEPT_PER_TARGET} per file and per endpoint, the newest) and prunes them with it.
 *
 * <pre>{@code
 * pipeline.outbox().attempts(3)
 *         .filter(a -> a.kind() == Attempt.Kind.WEBHOOK)
 *         .subscribe(a -> log.info("{} {} {} in {} ms: {}", a.startedAt(), a.target(), a.statusCode(),
 *                 a.duration().toMillis(), a.answer()));
 * }</pre>
 *
 * <p>Nothing secret is kept: the request headers are those sent less {@code Authorization} and the
 * signature's value ({@code webhook-signature} shows as {@code v1,***}); the receiver's answer is
 * an excerpt of at most {@link #ANSWER_CHARS} characters with control characters escaped and
 * anything shaped like a credential masked, as {@code ReceiverReply} holds it.
 *
 * @param recordingId    the recording
 * @param kind           an upload or a webhook request
 * @param target         the file's name ({@code video.mkv}), or the endpoint's display name
 * @param number         1 for the first request of a delivery, 2 for its first retry, …; for an upload,
 *                       the number of the run it was part of (the entry's attempts then)
 * @param startedAt      when it started
 * @param duration       how long it took
 * @param outcome        how it ended
 * @param statusCode     the receiver's HTTP status, or 0 when none came (always 0 for uploads)
 * @param requests       the requests it took: 1 for a webhook request; for an upload, every request
 *                       to the store, retries and parts included
 * @param bytes          the request body's size (the webhook's JSON, the file)
 * @param webhookId      the {@code webhook-id} sent; null for uploads
 * @param requestHeaders the headers sent, less secrets; empty for uploads
 * @param answer         the start of the receiver's answer, escaped and masked; null when none came
 * @param error          what went wrong, or null
 */
public record Attempt(long recordingId, Kind kind, String target, int number, Instant startedAt, Duration duration,
                      Outcome outcome, int statusCode, int requests, long bytes, String webhookId,
                      Map<String, String> requestHeaders, String answer, String error) {

    /** The most attempts kept per recording and target (a file, an endpoint): the newest. */
    public static final int KEPT_PER_TARGET = 20;
    /** The longest answer excerpt kept, in characters. */
    public static final int ANSWER_CHARS = 2048;

    /** What was attempted. */
    public enum Kind {
        /** A run's upload of one file (its requests to the store, retries and parts included). */
        UPLOAD,
        /** One webhook request. */
        WEBHOOK
    }

    /** How an attempt ended. */
    public enum Outcome {
        /** The file was stored, or the receiver answered 2xx. */
        SUCCEEDED,
        /** The receiver answered with another status (see {@link #statusCode()}). */
        ANSWERED,
        /** No answer within the attempt's timeout. */
        TIMEOUT,
        /** The connection was refused, reset or closed. */
        CONNECTION_FAILED,
        /** The network policy refused the target: nothing was sent. */
        REFUSED,
        /** The upload failed (see {@link #error()}). */
        FAILED
    }

    public Attempt {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(outcome, "outcome");
        requestHeaders = shown(requestHeaders);
        answer = ReceiverText.clean(answer, ANSWER_CHARS);
        error = ReceiverText.clean(error, ANSWER_CHARS);
    }

    /**
     * The headers as the log may keep them: no {@code Authorization}, {@code Proxy-Authorization} or
     * {@code Cookie}, and every value masked and escaped as a receiver's text is (a signature shows as
     * {@code v1,***}), whoever built the attempt.
     */
    private static Map<String, String> shown(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return Map.of();
        }
        Map<String, String> kept = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if (!n.equals("authorization") && !n.equals("proxy-authorization") && !n.equals("cookie")) {
                kept.put(n, ReceiverText.clean(value, ReceiverText.SHOWN));
            }
        });
        return Collections.unmodifiableMap(kept);
    }

    /** Whether the file was stored, or the receiver took the webhook. */
    public boolean succeeded() {
        return outcome == Outcome.SUCCEEDED;
    }

    /** The receiver's answer, when one came. */
    public Optional<String> answerIfAny() {
        return Optional.ofNullable(answer);
    }

    /** What went wrong, when something did. */
    public Optional<String> errorIfAny() {
        return Optional.ofNullable(error);
    }
}
