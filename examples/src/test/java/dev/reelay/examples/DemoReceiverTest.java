package dev.reelay.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.RecordingMetadata;
import dev.reelay.webhook.WebhookClient;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.util.retry.Retry;

/** The receiver contract of the original Django endpoint, as the examples' stand-in keeps it. */
class DemoReceiverTest {

    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("receiver test key 1234".getBytes(UTF_8));
    private static final WebhookClient client = WebhookClient.create();

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Test
    void upsertsByRecordingId201Then200() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"))) {
            WebhookOutcome first = send(receiver, endpoint(receiver), "demo@example.com");
            WebhookOutcome second = send(receiver, endpoint(receiver), "demo@example.com");

            assertThat(first.statusCode()).isEqualTo(201);
            assertThat(first.action()).contains("created");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.action()).contains("updated");
            assertThat(second.reply().pk()).isEqualTo(first.reply().pk());
            assertThat(receiver.recordings()).containsOnlyKeys(999L);
        }
    }

    @Test
    void unknownEmailIs404() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"))) {
            WebhookOutcome outcome = send(receiver, endpoint(receiver), "stranger@example.com");

            assertThat(outcome.statusCode()).isEqualTo(404);
            assertThat(outcome.reply().message()).isEqualTo("No user found with email: stranger@example.com");
            assertThat(receiver.recordings()).isEmpty();
        }
    }

    @Test
    void missingFieldsAre400() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"))) {
            int status = HttpClient.create()
                    .headers(h -> h.set("Content-Type", "application/json"))
                    .post()
                    .uri(receiver.url())
                    .send(ByteBufFlux.fromString(Mono.just("{\"title\": \"no id, no user\"}")))
                    .responseSingle((response, body) -> Mono.just(response.status().code()))
                    .block(Duration.ofSeconds(10));

            assertThat(status).isEqualTo(400);
            assertThat(receiver.lastRequest().orElseThrow().answer())
                    .contains("Missing required fields: recording_id or user_info.email");
        }
    }

    @Test
    void verifiesTheSignatureWhenGivenASecret() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"), SECRET, null)) {
            WebhookOutcome unsigned = send(receiver, endpoint(receiver), "demo@example.com");
            WebhookOutcome signed = send(receiver, WebhookEndpoint.builder(receiver.url()).secret(SECRET).build(),
                    "demo@example.com");

            assertThat(unsigned.statusCode()).isEqualTo(401);
            assertThat(signed.statusCode()).isEqualTo(201);
        }
    }

    @Test
    void checksTheBearerTokenWhenGivenOne() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"), null, "s3cret-token")) {
            WebhookOutcome wrong = send(receiver, WebhookEndpoint.builder(receiver.url()).bearerToken("guess").build(),
                    "demo@example.com");
            WebhookOutcome right = send(receiver, WebhookEndpoint.builder(receiver.url()).bearerToken("s3cret-token").build(),
                    "demo@example.com");

            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(right.statusCode()).isEqualTo(201);
            assertThat(receiver.lastRequest().orElseThrow().header("authorization")).contains("Bearer s3cret-token");
        }
    }

    private static WebhookEndpoint endpoint(DemoReceiver receiver) {
        return WebhookEndpoint.builder(receiver.url()).retry(Retry.backoff(0, Duration.ofMillis(1))).build();
    }

    private static WebhookOutcome send(DemoReceiver receiver, WebhookEndpoint endpoint, String email) {
        RecordingMetadata metadata = SendTestWebhook.sampleMetadata("demo", email, Instant.now());
        return client.send(endpoint, metadata).block(Duration.ofSeconds(10));
    }
}
