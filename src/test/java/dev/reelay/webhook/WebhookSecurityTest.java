package dev.reelay.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.Recording;
import dev.reelay.internal.webhook.Signatures;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.util.retry.Retry;

/** Signing, tokens, several endpoints, redirects, presigned URLs and unguessable keys. */
class WebhookSecurityTest extends ServersTest {

    /** The Standard Webhooks specification's own example. */
    static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SPEC_TIMESTAMP = 1614265330L;
    static final String SPEC_BODY = "{\"test\": 2432232314}";
    /** Computed outside Java, with Python's hmac module. */
    static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    static final String OTHER_SECRET = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";

    static WebhookEndpoint.Builder endpoint(String url) {
        return WebhookEndpoint.builder(url).retry(Retry.backoff(2, Duration.ofMillis(10)));
    }

    static Map<String, List<String>> headersOf(TestReceiver.Request request) {
        Map<String, List<String>> h = new HashMap<>();
        request.headers().forEach(e -> h.computeIfAbsent(e.getKey().toLowerCase(), k -> new java.util.ArrayList<>())
                .add(e.getValue()));
        return h;
    }

    static Map<String, String> flat(TestReceiver.Request request) {
        return request.headers().entries().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
    }

    @Test
    void signaturesMatchTheSpecificationsExample() {
        byte[] key = Signatures.decodeSecret(SPEC_SECRET);
        assertThat(Signatures.header(List.of(key), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void theOfficialVerifierAcceptsWhatWeSignAndRefusesTampering() throws Exception {
        Recording recording = Recordings.base(101).video(Recordings.file(dir, "video.mkv", 1000)).build();
        PipelineResult result = submit(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(endpoint(receiver.url()).secret(SPEC_SECRET).bearerToken("tok_abc").build())
                .build(), recording);

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        TestReceiver.Request request = receiver.requests().get(0);
        assertThat(request.headers().get("Authorization")).isEqualTo("Bearer tok_abc");
        assertThat(request.headers().get("webhook-signature")).startsWith("v1,").doesNotContain(" ");

        new Webhook(SPEC_SECRET).verify(request.body(), headersOf(request));
        assertThatThrownBy(() -> new Webhook(SPEC_SECRET).verify(request.body().replace("101", "102"), headersOf(request)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(OTHER_SECRET).verify(request.body(), headersOf(request)))
                .isInstanceOf(WebhookVerificationException.class);

        WebhookVerifier ours = WebhookVerifier.builder().secret(SPEC_SECRET).build();
        assertThat(ours.verify(flat(request), request.body().getBytes(StandardCharsets.UTF_8)).recordingId()).isEqualTo(101);
    }

    @Test
    void aStaleTimestampFailsVerification() {
        Recording recording = Recordings.base(102).video(Recordings.file(dir, "video.mkv", 1000)).build();
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        submit(PipelineOptions.builder().s3(s3.sharedClientOptions().build()).clock(anHourAgo)
                .webhook(endpoint(receiver.url()).secret(SPEC_SECRET).build()).build(), recording);
        TestReceiver.Request request = receiver.requests().get(0);

        assertThatThrownBy(() -> new Webhook(SPEC_SECRET).verify(request.body(), headersOf(request)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> WebhookVerifier.builder().secret(SPEC_SECRET).build()
                .verify(flat(request), request.body().getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(dev.reelay.webhook.WebhookVerificationException.class,
                        e -> assertThat(e.reason()).isEqualTo(dev.reelay.webhook.WebhookVerificationException.Reason.STALE_TIMESTAMP));
    }

    @Test
    void duringARotationEitherSecretVerifies() throws Exception {
        Recording recording = Recordings.base(103).video(Recordings.file(dir, "video.mkv", 1000)).build();
        submit(PipelineOptions.builder().s3(s3.sharedClientOptions().build())
                .webhook(endpoint(receiver.url()).secret(SPEC_SECRET).secret(OTHER_SECRET).build()).build(), recording);
        TestReceiver.Request request = receiver.requests().get(0);

        assertThat(request.headers().get("webhook-signature").split(" ")).hasSize(2);
        new Webhook(SPEC_SECRET).verify(request.body(), headersOf(request));
        new Webhook(OTHER_SECRET).verify(request.body(), headersOf(request));
    }

    @Test
    void ourVerifierGivesDistinctReasons() {
        Clock specTime = Clock.fixed(Instant.ofEpochSecond(SPEC_TIMESTAMP + 10), ZoneOffset.UTC);
        WebhookVerifier verifier = WebhookVerifier.builder().secret(SPEC_SECRET).clock(specTime).build();
        Map<String, String> headers = Map.of("Webhook-Id", SPEC_ID, "Webhook-Timestamp", Long.toString(SPEC_TIMESTAMP),
                "Webhook-Signature", "v1,bm90LWl0 " + SPEC_SIGNATURE);
        byte[] body = SPEC_BODY.getBytes(StandardCharsets.UTF_8);

        // the signature is right, the body is not a metadata document
        assertThatThrownBy(() -> verifier.verify(headers, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(reason(e)).isEqualTo("MALFORMED_PAYLOAD"));
        assertThatThrownBy(() -> verifier.verify(headers, "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(reason(e)).isEqualTo("BAD_SIGNATURE"));
        assertThatThrownBy(() -> WebhookVerifier.builder().secret(OTHER_SECRET).clock(specTime).build().verify(headers, body))
                .satisfies(e -> assertThat(reason(e)).isEqualTo("BAD_SIGNATURE"));
        assertThatThrownBy(() -> WebhookVerifier.builder().secret(SPEC_SECRET).build().verify(headers, body))
                .satisfies(e -> assertThat(reason(e)).isEqualTo("STALE_TIMESTAMP"));
        assertThatThrownBy(() -> verifier.verify(Map.of("webhook-id", SPEC_ID), body))
                .satisfies(e -> assertThat(reason(e)).isEqualTo("MISSING_HEADERS"));
    }

    static String reason(Throwable e) {
        return ((dev.reelay.webhook.WebhookVerificationException) e).reason().name();
    }

    @Test
    void aFailingEndpointNeitherDelaysNorFailsAHealthyOne() throws Exception {
        try (TestReceiver broken = TestReceiver.start(Recordings.EMAIL)) {
            broken.always(Scripted.status(503));
            Recording recording = Recordings.base(104).video(Recordings.file(dir, "video.mkv", 1000)).build();

            PipelineResult result = submit(PipelineOptions.builder().s3(s3.sharedClientOptions().build())
                    .webhook(WebhookEndpoint.builder(broken.url())
                            .retry(Retry.backoff(4, Duration.ofMillis(150)).jitter(0)).build())
                    .webhook(endpoint(receiver.url()).build())
                    .build(), recording);

            assertThat(result.status()).isEqualTo(Status.WEBHOOK_FAILED);
            assertThat(result.webhooks()).extracting(WebhookOutcome::state)
                    .containsExactly(WebhookOutcome.State.FAILED, WebhookOutcome.State.DELIVERED);
            assertThat(result.webhooks().get(0).attempts()).isEqualTo(5);
            assertThat(result.webhooks().get(1).attempts()).isEqualTo(1);
            assertThat(broken.requests()).hasSize(5);
            assertThat(receiver.requests()).hasSize(1);
            // delivered before the broken endpoint's first retry, which came 150 ms after its first try
            assertThat(receiver.requests().get(0).receivedAtNanos()).isLessThan(broken.requests().get(1).receivedAtNanos());
            assertThat(result.reason()).hasValueSatisfying(r -> assertThat(r).contains(broken.url()).contains("503")
                    .doesNotContain(receiver.url()));
        }
    }

    @Test
    void aRedirectIsAFailureAndIsNotFollowed() {
        receiver.script(new Scripted(302, "", Map.of("Location", receiver.url()), false));
        Recording recording = Recordings.base(105).video(Recordings.file(dir, "video.mkv", 1000)).build();

        PipelineResult result = submit(PipelineOptions.builder().s3(s3.sharedClientOptions().build())
                .webhook(endpoint(receiver.url()).build()).build(), recording);

        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(webhook.statusCode()).isEqualTo(302);
        assertThat(webhook.error()).contains("redirects are not followed");
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void presignedUrlsDownloadTheFileAndStayOutOfToString() throws Exception {
        Path video = Recordings.file(dir, "video.mkv", 70_000);
        Recording recording = Recordings.base(106).video(video).build();

        PipelineResult result = submit(PipelineOptions.builder()
                .s3(s3.options().presignedUrls(Duration.ofHours(1)).build())
                .webhook(endpoint(receiver.url()).build()).build(), recording);

        String url = result.files().get(0).url();
        assertThat(url).contains("X-Amz-Signature=").contains("/fyemeet/106/video.mkv?");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(Files.readAllBytes(video));
        HttpResponse<byte[]> plain = http.send(HttpRequest.newBuilder(java.net.URI.create(url.substring(0, url.indexOf('?'))))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.statusCode()).isEqualTo(403);

        assertThat(receiver.requests().get(0).json().at("/uploaded_files/video").asText()).isEqualTo(url);
        String shown = result.files() + " " + result.metadata().orElseThrow() + " " + result.metadataFile().orElseThrow();
        assertThat(shown).contains("/fyemeet/106/video.mkv").doesNotContain("X-Amz-Signature").doesNotContain("X-Amz-Credential");
    }

    @Test
    void presignedExpiryIsBoundedBySevenDays() {
        assertThatThrownBy(() -> s3.options().presignedUrls(Duration.ofDays(8)).build())
                .hasMessageContaining("at most 7 days");
    }

    @Test
    void unguessableKeysCarryAStableSecretTokenOfAtLeast128Bits() {
        byte[] key = "a-secret-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8);
        var layout = dev.reelay.storage.KeyLayout.unguessable("recordings/", key);

        String video = layout.key(3, "video.mkv");
        String transcript = layout.key(3, "transcript.txt");
        String token = video.split("/")[2];
        assertThat(video).matches("recordings/3/[a-z2-7]{32}/video\\.mkv");
        assertThat(transcript).isEqualTo("recordings/3/" + token + "/transcript.txt");
        assertThat(token.length() * 5).isGreaterThanOrEqualTo(128);
        assertThat(layout.key(3, "video.mkv")).isEqualTo(video);
        assertThat(dev.reelay.storage.KeyLayout.unguessable("recordings/", "another-secret-key-of-32-bytes!!".getBytes(StandardCharsets.UTF_8))
                .key(3, "video.mkv")).isNotEqualTo(video);
        Set<String> tokens = IntStream.range(1, 2001).mapToObj(i -> layout.key(i, "v").split("/")[2]).collect(Collectors.toSet());
        assertThat(tokens).hasSize(2000);
        assertThat(layout.key(Long.MAX_VALUE, "x".repeat(180)).length()).isLessThanOrEqualTo(254);
    }
}
