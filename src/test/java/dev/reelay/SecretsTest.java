package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.support.LogCapture;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import dev.reelay.webhook.WebhookEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** Keys, tokens, secrets and URL credentials never reach logs, messages, results or toString(). */
class SecretsTest {

    static final String TOKEN = "tok_live_9f8e7d6c5b4a3210";
    static final String WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String URL_PASSWORD = "hunter2-url-password";
    static final String QUERY_TOKEN = "query-token-123456";

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInLogsMessagesResultsOrToString() {
        List<String> seen = new ArrayList<>();
        try (S3TestServer s3 = S3TestServer.start();
             TestReceiver receiver = TestReceiver.start(Recordings.EMAIL);
             LogCapture logs = LogCapture.start()) {
            String withCredentials = receiver.url().replace("http://", "http://admin:" + URL_PASSWORD + "@")
                    + "?token=" + QUERY_TOKEN;
            WebhookEndpoint good = WebhookEndpoint.builder(withCredentials)
                    .bearerToken(TOKEN).secret(WEBHOOK_SECRET)
                    .retry(Retry.backoff(1, Duration.ofMillis(5))).build();
            WebhookEndpoint dead = WebhookEndpoint.builder("http://user:" + URL_PASSWORD + "@127.0.0.1:9/hook?token=" + QUERY_TOKEN)
                    .bearerToken(TOKEN).secret(WEBHOOK_SECRET)
                    .retry(Retry.backoff(1, Duration.ofMillis(5))).build();
            PipelineOptions ok = PipelineOptions.builder().s3(s3.options().build()).webhook(good).webhook(dead).build();
            PipelineOptions wrongKey = PipelineOptions.builder()
                    .s3(s3.options().credentials(S3TestServer.ACCESS_KEY, "wrong-" + S3TestServer.SECRET_KEY)
                            .retry(Retry.backoff(1, Duration.ofMillis(5))).build())
                    .webhook(good).build();
            seen.add(ok.toString());
            seen.add(wrongKey.toString());
            seen.add(good.toString());
            seen.add(dead.toString());

            for (PipelineOptions options : List.of(ok, wrongKey)) {
                try (RecordingPipeline pipeline = RecordingPipeline.create(options)) {
                    Flux<Recording> recordings = Flux.just(Recordings.threeFiles(dir, 81, 1000, 100, 10),
                            Recordings.base(82).user("x", "unknown@example.com").video(Recordings.file(dir, "v.mkv", 10)).build());
                    StepVerifier.create(pipeline.process(recordings))
                            .thenConsumeWhile(r -> {
                                seen.add(r.toString());
                                seen.add(r.reason().orElse(""));
                                r.files().forEach(f -> seen.add(f.toString()));
                                r.webhooks().forEach(w -> seen.add(w.toString()));
                                r.metadataFile().ifPresent(f -> seen.add(f.toString()));
                                return true;
                            })
                            .expectComplete()
                            .verify(Duration.ofSeconds(30));
                }
            }
            assertThat(receiver.requests()).isNotEmpty();
            assertThat(receiver.requests().get(0).headers().get("Authorization")).isEqualTo("Bearer " + TOKEN);
            seen.addAll(logs.lines());
        }

        String everything = String.join("\n", seen);
        assertThat(everything).contains("Webhook", "recording 81");
        for (String secret : List.of(S3TestServer.SECRET_KEY, TOKEN, WEBHOOK_SECRET, WEBHOOK_SECRET.substring(6),
                URL_PASSWORD, QUERY_TOKEN, "v1,")) {
            assertThat(everything).as("secret %s", secret).doesNotContain(secret);
        }
    }
}
