package dev.reelay.webhook;

import dev.reelay.RecordingMetadata;
import dev.reelay.internal.webhook.WebhookSender;
import java.time.Clock;
import reactor.core.publisher.Mono;

/**
 * Sends one metadata document to one endpoint, with the same headers, signing, timeouts and
 * retries as the pipeline's deliver stage: for a manual resend, or to test a receiver.
 *
 * <pre>{@code
 * try (WebhookClient client = WebhookClient.create()) {
 *     WebhookOutcome outcome = client.send(WebhookEndpoint.of(url), metadata).block();
 *     System.out.println(outcome.state() + " " + outcome.statusCode());
 * }
 * }</pre>
 *
 * <p>The returned {@code Mono} never errors: how the delivery ended is in the outcome. Nothing
 * is sent before subscription, and each subscription is a new delivery with the same
 * {@code webhook-id}.
 */
public interface WebhookClient extends AutoCloseable {

    /** A client with its own connection pool; close it when done. */
    static WebhookClient create() {
        return new WebhookSender(Clock.systemUTC(), 8);
    }

    /** POSTs {@code metadata} as JSON to {@code endpoint}. */
    Mono<WebhookOutcome> send(WebhookEndpoint endpoint, RecordingMetadata metadata);

    /** Releases the client's connections. */
    @Override
    void close();
}
