package dev.reelay.outbox;

import dev.reelay.internal.webhook.ReceiverText;
import java.time.Instant;
import java.util.Optional;

/**
 * How an endpoint has fared, from the attempt log since a given time ({@link Outbox#endpointHealth(Instant)}),
 * and whether it is disabled now (after a 410).
 *
 * @param endpoint       the endpoint's display name
 * @param attempts       webhook requests to it since then
 * @param succeeded      of which the receiver took (2xx)
 * @param lastAttemptAt  the last request, or null
 * @param lastSuccessAt  the last request taken, or null
 * @param lastFailureAt  the last request not taken, or null
 * @param lastFailure    what the last request not taken ended with (a status and the answer's start, or the
 *                       error), or null
 * @param disabledSince  since when it is disabled, or null when it is not
 * @param disabledReason why it was disabled, or null
 */
public record EndpointHealth(String endpoint, long attempts, long succeeded, Instant lastAttemptAt, Instant lastSuccessAt,
                             Instant lastFailureAt, String lastFailure, Instant disabledSince, String disabledReason) {

    /** The texts are a receiver's words: escaped and masked, whoever built this. */
    public EndpointHealth {
        lastFailure = ReceiverText.clean(lastFailure, ReceiverText.SHOWN);
        disabledReason = ReceiverText.clean(disabledReason, ReceiverText.SHOWN);
    }

    /** Whether deliveries to it are stopped (it answered 410) until enabled again. */
    public boolean disabled() {
        return disabledSince != null;
    }

    /** The share of requests taken, 0 to 1; empty when there was none. */
    public Optional<Double> successRate() {
        return attempts == 0 ? Optional.empty() : Optional.of((double) succeeded / attempts);
    }
}
