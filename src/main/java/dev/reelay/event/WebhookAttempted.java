package dev.reelay.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One attempt of a webhook delivery ended.
 *
 * @param endpoint   the endpoint's {@link dev.reelay.webhook.WebhookEndpoint#displayName()}
 * @param attempt    1 for the first attempt of this delivery
 * @param statusCode the receiver's status, 0 when it did not answer
 * @param result     how the attempt ended
 * @param error      what went wrong when the receiver did not answer (null when it did)
 * @param duration   from the attempt's start to its end
 */
public record WebhookAttempted(Instant at, long recordingId, String endpoint, int attempt, int statusCode,
                               Result result, String error, Duration duration) implements RecordingEvent {

    /** How an attempt ended. */
    public enum Result {
        /** The receiver answered, with {@link #statusCode()}. */
        ANSWERED,
        /** No answer within the attempt's timeout. */
        TIMEOUT,
        /** The connection was refused, reset or closed. */
        CONNECTION_FAILED,
        /** The network policy refused the target; nothing was sent. */
        REFUSED,
        /** Stopped from outside: the delivery's deadline, or {@code close()}. */
        CANCELLED
    }

    public WebhookAttempted {
        Objects.requireNonNull(result, "result");
    }

    /** Whether the receiver took it (answered 2xx). */
    public boolean succeeded() {
        return result == Result.ANSWERED && statusCode >= 200 && statusCode < 300;
    }

    /**
     * The outcome's class, for grouping: {@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx} (other
     * statuses {@code 1xx}), or {@code timeout}, {@code connection_failed}, {@code refused},
     * {@code cancelled}.
     */
    public String outcome() {
        return switch (result) {
            case ANSWERED -> (statusCode / 100) + "xx";
            case TIMEOUT -> "timeout";
            case CONNECTION_FAILED -> "connection_failed";
            case REFUSED -> "refused";
            case CANCELLED -> "cancelled";
        };
    }
}
