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

    /** A client with its own connection pool that sends anywhere ({@link NetworkPolicy#allowAll()}); close it when done. */
    static WebhookClient create() {
        return create(NetworkPolicy.allowAll());
    }

    /**
     * A client with its own connection pool that sends only where {@code policy} allows; close it
     * when done. For URLs that someone less trusted than your operators typed in (a "send a test
     * webhook" button, a tenant's settings), use {@link NetworkPolicy#publicOnly()}:
     *
     * <pre>{@code
     * try (WebhookClient client = WebhookClient.create(NetworkPolicy.publicOnly())) {
     *     WebhookOutcome outcome = client.send(WebhookEndpoint.of(tenantUrl), metadata).block();
     *     // REJECTED, "refused by the network policy: 10.0.0.7 is a private address (10.0.0.0/8)"
     * }
     * }</pre>
     */
    static WebhookClient create(NetworkPolicy policy) {
        return new WebhookSender(Clock.systemUTC(), 8, policy);
    }

    /** POSTs {@code metadata} as JSON to {@code endpoint}. */
    Mono<WebhookOutcome> send(WebhookEndpoint endpoint, RecordingMetadata metadata);

    /**
     * Sends the test payload ({@link WebhookTest#payload}, recording 999, marked as a test) to
     * {@code endpoint} once, with the headers, signature and token a delivery has and no retry, and
     * tells what was sent and answered: the original system's {@code test_webhook.py}, for a
     * "send a test webhook" button. Never errors; nothing is journaled.
     *
     * <pre>{@code
     * WebhookTest test = client.sendTest(endpoint, new UserInfo("souvik", "souvik@example.com")).block();
     * System.out.println(test.attempt().statusCode() + " " + test.attempt().answer());
     * }</pre>
     */
    Mono<WebhookTest> sendTest(WebhookEndpoint endpoint, dev.reelay.UserInfo user);

    /** Releases the client's connections. */
    @Override
    void close();
}
