package dev.reelay.webhook;

import dev.reelay.internal.webhook.ReceiverText;
import java.util.Optional;

/**
 * How the delivery of one recording's webhook to one endpoint ended.
 *
 * <p>{@code error} is safe to log and show whoever built the outcome: the receiver's words in it
 * are escaped, credentials masked and the whole cut at 2 KiB (the receiver's message at 1 KiB).
 *
 * @param endpoint   the endpoint as logs, results and the journal know it: its
 *                   {@linkplain WebhookEndpoint#displayName() display name}
 * @param webhookId  the {@code webhook-id} sent, the same on every attempt
 * @param state      how it ended
 * @param statusCode the last HTTP status, or 0 when no answer came
 * @param attempts   the requests made
 * @param reply      the receiver's parsed answer to the last request, or null
 * @param error      what went wrong, or null when delivered
 */
public record WebhookOutcome(String endpoint, String webhookId, State state, int statusCode, int attempts,
                             ReceiverReply reply, String error) {

    public WebhookOutcome {
        error = ReceiverText.clean(error, 2 * ReceiverText.SHOWN);
    }

    /** How a delivery ended. */
    public enum State {
        /** The receiver answered 2xx. */
        DELIVERED,
        /** Connection errors, timeouts, 408, 429 or 5xx until the retries or the deadline ran out: may succeed later. */
        FAILED,
        /** 400, 401, 403, a redirect or another 4xx: the same request will fail again. */
        REJECTED,
        /** 404, the receiver does not know the user yet: kept for a later or manual retry. */
        PARKED,
        /** 410, the endpoint is gone: no more deliveries to it until it is re-enabled. */
        GONE
    }

    /** Whether the receiver took the webhook. */
    public boolean delivered() {
        return state == State.DELIVERED;
    }

    /** The receiver's {@code action}, {@code "created"} or {@code "updated"}, when it said. */
    public Optional<String> action() {
        return reply == null ? Optional.empty() : Optional.ofNullable(reply.action());
    }

    /** What went wrong, when it was not delivered. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(error);
    }
}
