package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reelay.PipelineResult.Status;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** The whole pipeline against a real S3 API server and a real receiver. */
class PipelineTest extends ServersTest {

    static final Instant UPLOADED_AT = Instant.parse("2025-10-25T01:57:22.775114Z");
    static final ObjectMapper JSON = new ObjectMapper();

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .clock(Clock.fixed(UPLOADED_AT, ZoneOffset.UTC));
    }

    @Test
    void threeFileRecordingSendsTheSeedPayloadExactlyAndStoresItAsMetadataJson() throws Exception {
        // 0.504 + 0.010 + 0.004 MiB: the rounded parts add up to 0.51, the bytes to 0.52.
        Recording recording = Recordings.threeFiles(dir, 3, 528_482, 10_486, 4_000);

        PipelineResult result = submit(options().build(), recording);

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(result.reason()).isEmpty();
        String base = s3.endpoint() + "/fyemeet/3/";
        String expected = "{"
                + "\"recording_id\":3,"
                + "\"title\":\"Meeting 2025-10-24 21:55\","
                + "\"created_at\":\"2025-10-25 01:55:59.374860\","
                + "\"duration_seconds\":77,"
                + "\"duration_database\":77,"
                + "\"user_info\":{\"username\":\"souvik\",\"email\":\"souvik@fyelabs.com\"},"
                + "\"file_info\":{\"total_size_mb\":0.52,\"individual_sizes_mb\":"
                + "{\"video.mkv\":0.5,\"thumbnail.jpg\":0.01,\"transcript.txt\":0.0}},"
                + "\"uploaded_files\":{"
                + "\"video\":\"" + base + "video.mkv\","
                + "\"thumbnail\":\"" + base + "thumbnail.jpg\","
                + "\"transcript\":\"" + base + "transcript.txt\","
                + "\"metadata\":\"" + base + "metadata.json\"},"
                + "\"upload_timestamp\":\"2025-10-25T01:57:22.775114\","
                + "\"upload_source\":\"reelay\","
                + "\"bucket_name\":\"fyemeet\","
                + "\"region\":\"us-west-1\"}";
        JsonNode sent = receiver.requests().get(0).json();
        assertThat(sent).isEqualTo(JSON.readTree(expected));
        assertThat(fieldNames(sent)).containsExactlyElementsOf(fieldNames(JSON.readTree(expected)));
        assertThat(sent.get("file_info").get("total_size_mb").isFloatingPointNumber()).isTrue();
        assertThat(JSON.readTree(s3.read("3/metadata.json"))).isEqualTo(sent);

        for (String name : List.of("video.mkv", "thumbnail.jpg", "transcript.txt")) {
            assertThat(s3.sha256("3/" + name)).isEqualTo(S3TestServer.sha256(
                    java.nio.file.Files.readAllBytes(dir.resolve("3").resolve(name))));
        }
        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.delivered()).isTrue();
        assertThat(webhook.statusCode()).isEqualTo(201);
        assertThat(webhook.action()).contains("created");
        assertThat(webhook.reply().pk()).isEqualTo(1L);
        assertThat(webhook.reply().recordingId()).isEqualTo(3L);
        assertThat(webhook.attempts()).isEqualTo(1);
        assertThat(result.files()).extracting(FileOutcome::url)
                .containsExactly(base + "video.mkv", base + "thumbnail.jpg", base + "transcript.txt");
        assertThat(result.metadataFile().orElseThrow().url()).isEqualTo(base + "metadata.json");

        var headers = receiver.requests().get(0).headers();
        assertThat(headers.get("Content-Type")).isEqualTo("application/json");
        assertThat(headers.get("User-Agent")).startsWith("Reelay/");
        assertThat(headers.get("webhook-id")).isEqualTo(webhook.webhookId()).startsWith("msg_");
        assertThat(headers.get("webhook-timestamp")).isEqualTo(Long.toString(UPLOADED_AT.getEpochSecond()));
        assertThat(headers.get("webhook-signature")).isNull();
        assertThat(headers.get("Authorization")).isNull();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void firstDeliveryCreatesAndTheSecondUpdates() {
        Recording recording = Recordings.threeFiles(dir, 7, 1000, 100, 10);
        PipelineOptions options = options().build();
        pipeline = RecordingPipeline.create(options);

        // the same files with another title: the stored files stay, the document is sent again
        Recording retitled = recording.toBuilder().title("Meeting, retitled").build();
        StepVerifier.create(pipeline.process(Flux.just(recording)).concatWith(pipeline.submit(retitled)))
                .assertNext(r -> assertThat(r.webhooks().get(0)).satisfies(w -> {
                    assertThat(w.statusCode()).isEqualTo(201);
                    assertThat(w.action()).contains("created");
                }))
                .assertNext(r -> {
                    assertThat(r.webhooks().get(0)).satisfies(w -> {
                        assertThat(w.statusCode()).isEqualTo(200);
                        assertThat(w.action()).contains("updated");
                    });
                    assertThat(r.metadata().orElseThrow().title()).isEqualTo("Meeting, retitled");
                })
                .expectComplete()
                .verify(LIMIT);

        assertThat(receiver.deliveries().get(7L)).as("two deliveries, the second a new document with an id of its own")
                .hasSize(2).extracting(TestReceiver.Delivery::webhookId).doesNotHaveDuplicates();
    }

    @Test
    void unknownEmailIsParkedWithoutRetryAndTheFilesStayStored() {
        Recording recording = Recordings.base(11).user("nobody", "nobody@example.com")
                .video(Recordings.file(dir, "video.mkv", 2048)).build();

        PipelineResult result = submit(options().build(), recording);

        assertThat(result.status()).isEqualTo(Status.WEBHOOK_FAILED);
        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.PARKED);
        assertThat(webhook.statusCode()).isEqualTo(404);
        assertThat(webhook.attempts()).isEqualTo(1);
        assertThat(webhook.reply().message()).isEqualTo("No user found with email: nobody@example.com");
        assertThat(receiver.requests()).hasSize(1);
        assertThat(result.reason()).hasValueSatisfying(r -> assertThat(r)
                .contains("recording 11").contains("404").contains("No user found"));
        assertThat(s3.exists("11/video.mkv")).isTrue();
        assertThat(s3.exists("11/metadata.json")).isTrue();
    }

    @Test
    void badRequestIsRejectedWithoutRetry() {
        receiver.script(new Scripted(400,
                "{\"status\":\"error\",\"message\":\"Missing required fields: recording_id or user_info.email\"}",
                java.util.Map.of(), false));
        Recording recording = Recordings.base(12).video(Recordings.file(dir, "video.mkv", 2048)).build();

        PipelineResult result = submit(options().build(), recording);

        assertThat(result.status()).isEqualTo(Status.WEBHOOK_FAILED);
        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(webhook.statusCode()).isEqualTo(400);
        assertThat(webhook.attempts()).isEqualTo(1);
        assertThat(receiver.requests()).hasSize(1);
        assertThat(s3.exists("12/video.mkv")).isTrue();
    }

    @Test
    void retriesOn503ThenSucceeds() {
        receiver.script(Scripted.status(503), Scripted.status(503));
        Recording recording = Recordings.base(13).video(Recordings.file(dir, "video.mkv", 2048)).build();

        PipelineResult result = submit(options().build(), recording);

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(result.webhooks().get(0).attempts()).isEqualTo(3);
        assertThat(result.webhooks().get(0).statusCode()).isEqualTo(201);
        List<TestReceiver.Request> requests = receiver.requests();
        assertThat(requests).extracting(TestReceiver.Request::answeredWith).containsExactly(503, 503, 201);
        assertThat(requests).extracting(r -> r.headers().get("webhook-id")).containsOnly(requests.get(0).headers().get("webhook-id"));
    }

    @Test
    void aReceiverThatNeverAnswersTimesOutEachAttemptAndGivesUpAfterTheRetries() {
        receiver.always(Scripted.stalling());
        Recording recording = Recordings.base(14).video(Recordings.file(dir, "video.mkv", 2048)).build();
        PipelineOptions options = options().webhooks(List.of(WebhookEndpoint.builder(receiver.url())
                .attemptTimeout(Duration.ofMillis(300))
                .retry(Retry.backoff(2, Duration.ofMillis(10)))
                .build())).build();

        PipelineResult result = submit(options, recording);

        assertThat(result.status()).isEqualTo(Status.WEBHOOK_FAILED);
        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.FAILED);
        assertThat(webhook.attempts()).isEqualTo(3);
        assertThat(webhook.error()).contains("timed out").contains("3 attempts");
        assertThat(receiver.requests()).hasSize(3);
        assertThat(s3.exists("14/video.mkv")).isTrue();
    }

    @Test
    void theDeadlineEndsAttemptsThatWouldGoOn() {
        receiver.always(Scripted.stalling());
        Recording recording = Recordings.base(15).video(Recordings.file(dir, "video.mkv", 2048)).build();
        PipelineOptions options = options().webhooks(List.of(WebhookEndpoint.builder(receiver.url())
                .attemptTimeout(Duration.ofMillis(200))
                .deadline(Duration.ofMillis(700))
                .retry(Retry.backoff(100, Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)))
                .build())).build();

        PipelineResult result = submit(options, recording);

        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.FAILED);
        assertThat(webhook.error()).contains("deadline");
        // 100 retries allowed, the deadline leaves room for about 3 (fewer on a slow machine, never more than 6)
        assertThat(webhook.attempts()).isBetween(1, 6);
    }

    @Test
    void oneMissingFileIsPartialAndTheWebhookListsOnlyStoredFiles() {
        Path d = dir.resolve("21");
        Recording recording = Recordings.base(21)
                .video(Recordings.file(d, "video.mkv", 4096))
                .transcript(d.resolve("transcript.txt"))
                .build();

        PipelineResult result = submit(options().build(), recording);

        assertThat(result.status()).isEqualTo(Status.PARTIAL);
        assertThat(result.reason()).hasValueSatisfying(r -> assertThat(r)
                .contains("recording 21").contains("transcript.txt").contains("file not found"));
        assertThat(result.files()).extracting(FileOutcome::stored).containsExactly(true, false);
        assertThat(result.files().get(1).attempts()).isZero();
        JsonNode sent = receiver.requests().get(0).json();
        assertThat(fieldNames(sent.get("uploaded_files"))).containsExactly("video", "metadata");
        assertThat(fieldNames(sent.get("file_info").get("individual_sizes_mb"))).containsExactly("video.mkv");
        assertThat(result.webhooks().get(0).delivered()).isTrue();
        assertThat(s3.exists("21/transcript.txt")).isFalse();
    }

    @Test
    void noStoredFileMeansNoWebhook() {
        Recording recording = Recordings.base(22).video(dir.resolve("gone.mkv")).build();

        PipelineResult result = submit(options().build(), recording);

        assertThat(result.status()).isEqualTo(Status.UPLOAD_FAILED);
        assertThat(result.webhooks()).isEmpty();
        assertThat(result.metadataFile()).isEmpty();
        assertThat(receiver.requests()).isEmpty();
        assertThat(result.reason()).hasValueSatisfying(r -> assertThat(r).contains("recording 22").contains("gone.mkv"));
    }

    @Test
    void withoutWebhooksARecordingIsCompleteOnceStored() {
        Recording recording = Recordings.base(23).video(Recordings.file(dir, "video.mkv", 100)).build();

        PipelineResult result = submit(options().webhooks(List.of()).build(), recording);

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(result.webhooks()).isEmpty();
        assertThat(s3.exists("23/metadata.json")).isTrue();
    }

    @Test
    void keysFollowThePrefix() {
        Recording recording = Recordings.base(24).video(Recordings.file(dir, "video.mkv", 100)).build();

        PipelineResult result = submit(options().keyPrefix("tenant-a/recordings/").build(), recording);

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(s3.exists("tenant-a/recordings/24/video.mkv")).isTrue();
        assertThat(result.files().get(0).url()).endsWith("/fyemeet/tenant-a/recordings/24/video.mkv");
    }

    @Test
    void uploadProgressGrowsToEachFilesSize() {
        java.util.Map<String, List<long[]>> seen = new java.util.concurrent.ConcurrentHashMap<>();
        Recording recording = Recordings.threeFiles(dir, 25, 1_000_000, 20_000, 300);

        PipelineResult result = submit(options().uploadProgress((id, name, sent, total) ->
                seen.computeIfAbsent(id + "/" + name, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(new long[] {sent, total})).build(), recording);

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(seen.keySet()).containsExactlyInAnyOrder("25/video.mkv", "25/thumbnail.jpg", "25/transcript.txt",
                "25/metadata.json");
        seen.forEach((file, events) -> {
            long[] last = events.get(events.size() - 1);
            assertThat(last[0]).as(file).isEqualTo(last[1]);
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i)[0]).as(file).isGreaterThan(events.get(i - 1)[0]);
            }
        });
        assertThat(seen.get("25/video.mkv").get(0)[1]).isEqualTo(1_000_000);
        assertThat(seen.get("25/video.mkv").size()).isGreaterThan(1);
    }
}
