package dev.reelay.event;

import java.time.Instant;

/**
 * {@code enableEndpoint(url)} let deliveries to an endpoint go out again.
 *
 * @param endpoint its {@link dev.reelay.webhook.WebhookEndpoint#displayName()}
 */
public record EndpointEnabled(Instant at, String endpoint) implements PipelineEvent {
}
