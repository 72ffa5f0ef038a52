package dev.reelay.webhook;

import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import dev.reelay.outbox.Attempt;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a test webhook did ({@link WebhookClient#sendTest}): the request as sent (its headers less
 * secrets, its body) and the receiver's answer, from one request, with no retry. The body is the
 * original system's test payload, recording {@value #RECORDING_ID}, marked as a test in its title
 * and its {@code upload_source}, {@value #UPLOAD_SOURCE}.
 *
 * @param endpoint the endpoint's display name
 * @param body     the JSON sent
 * @param attempt  the request and its answer: headers sent (no {@code Authorization}, signatures as
 *                 {@code v1,***}), status, the start of the answer, duration
 * @param outcome  how it ended, as a delivery would have
 */
public record WebhookTest(String endpoint, String body, Attempt attempt, WebhookOutcome outcome) {

    /** The test payload's {@code recording_id}, the original system's. */
    public static final long RECORDING_ID = 999;
    /** The test payload's {@code upload_source}: a receiver can tell a test from a recording by it. */
    public static final String UPLOAD_SOURCE = "reelay-test-webhook";
    /** The test payload's title. */
    public static final String TITLE = "Test Recording (a test webhook from Reelay, not a real recording)";

    public WebhookTest {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(attempt, "attempt");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** Whether the receiver took it (2xx). */
    public boolean delivered() {
        return outcome.delivered();
    }

    /**
     * The original system's test payload: recording 999, two minutes, one video, for this user (the
     * receiver must know the email, or it answers 404), marked as a test.
     */
    public static RecordingMetadata payload(UserInfo user, Instant now) {
        Objects.requireNonNull(user, "user");
        long videoBytes = 524_288;
        Map<String, BigDecimal> sizes = new LinkedHashMap<>();
        sizes.put("video.mkv", RecordingMetadata.mebibytes(videoBytes));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("video", "https://s3.us-west-1.idrivee2.com/fyemeet/999/video.mkv");
        return new RecordingMetadata(RECORDING_ID, TITLE, now, 120L, 120L, user, RecordingMetadata.mebibytes(videoBytes),
                sizes, files, now, UPLOAD_SOURCE, "fyemeet", "us-west-1");
    }
}
