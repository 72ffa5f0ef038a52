package dev.reelay.event;

import java.time.Instant;

/**
 * An endpoint answered 410 Gone: no delivery goes to it until {@code enableEndpoint(url)}.
 *
 * @param endpoint its {@link dev.reelay.webhook.WebhookEndpoint#displayName()}
 * @param reason   what it answered
 */
public record EndpointDisabled(Instant at, String endpoint, String reason) implements PipelineEvent {
}
