package dev.reelay.event;

import dev.reelay.webhook.WebhookOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * A delivery to one endpoint ended, delivered or not (its last {@link WebhookAttempted} came
 * before). A delivery to an endpoint disabled by an earlier 410 ends at once, {@code GONE}, with no
 * attempt.
 *
 * @param outcome  how it ended, as in the result
 * @param duration from its first attempt to its end, backoff included
 */
public record WebhookFinished(Instant at, long recordingId, WebhookOutcome outcome, Duration duration)
        implements RecordingEvent {

    /** The endpoint's {@link dev.reelay.webhook.WebhookEndpoint#displayName()}. */
    public String endpoint() {
        return outcome.endpoint();
    }
}
