package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.FaultyFront.Fault;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Network faults between Reelay and its servers, injected by a TCP front; nothing may be lost. */
class FaultsTest extends ServersTest {

    static final long SEED = 20261128L;

    @Test
    void thirtyPercentOfStoreConnectionsResetAndEveryRecordingStillCompletesWithItsBytes() throws Exception {
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.random(0.3, Fault.RESET_REQUEST, SEED);
            List<Recording> recordings = new ArrayList<>();
            for (long id = 1; id <= 50; id++) {
                recordings.add(Recordings.threeFiles(dir, id, 30_000 + id * 1000, 3_000, 300));
            }

            List<PipelineResult> results = processAll(PipelineOptions.builder()
                    .s3(s3.options(front.endpoint())
                            .retry(Retry.backoff(12, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(50))).build())
                    .webhook(fastEndpoint(receiver.url()).build())
                    .media(MediaOptions.disabled())
                    .recordingsInFlight(4)
                    .build(), Flux.fromIterable(recordings));

            assertThat(results).hasSize(50).allSatisfy(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED));
            // every reset cost exactly one attempt of one request, and nothing else did
            int attempts = results.stream().mapToInt(r -> r.files().stream().mapToInt(FileOutcome::attempts).sum()
                    + r.metadataFile().orElseThrow().attempts()).sum();
            assertThat(attempts - 200).isPositive().isLessThanOrEqualTo(front.injected(Fault.RESET_REQUEST));
            for (long id = 1; id <= 50; id++) {
                for (String name : List.of("video.mkv", "thumbnail.jpg", "transcript.txt")) {
                    assertThat(s3.sha256(id + "/" + name)).as("%d/%s", id, name)
                            .isEqualTo(S3TestServer.sha256(Files.readAllBytes(dir.resolve(id + "/" + name))));
                }
            }
            assertThat(receiver.assertEveryDeliveredRepeatsSameId(LongStream.rangeClosed(1, 50).boxed().toList()))
                    .as("the receiver was not faulted: nothing repeated").isZero();
        }
    }

    @Test
    void aReceiverDownForAWhileGetsEveryDeliveryOnceItIsBack() {
        try (FaultyFront front = FaultyFront.in(java.net.URI.create(receiver.url()))) {
            front.next(6, Fault.DROP);
            List<PipelineResult> results = processAll(PipelineOptions.builder()
                    .s3(s3.sharedClientOptions().build())
                    .webhook(WebhookEndpoint.builder(front.front(receiver.url()))
                            .retry(Retry.backoff(10, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(200))).build())
                    .media(MediaOptions.disabled())
                    .build(), Flux.range(1, 5).map(i -> Recordings.base(i).video(Recordings.file(dir, i + ".mkv", 1000)).build()));

            assertThat(results).hasSize(5).allSatisfy(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED));
            assertThat(front.injected(Fault.DROP)).isEqualTo(6);
            assertThat(results.stream().mapToInt(r -> r.webhooks().get(0).attempts()).sum()).isGreaterThan(5);
            assertThat(receiver.assertEveryDeliveredRepeatsSameId(List.of(1L, 2L, 3L, 4L, 5L)))
                    .as("dropped connections never reached the receiver: no repeats").isZero();
        }
    }

    @Test
    void aReceiverDownForLongerThanTheRetriesGetsTheDeliveriesByRetryOnceBack() {
        try (FaultyFront front = FaultyFront.in(java.net.URI.create(receiver.url()))) {
            front.plan(i -> Fault.DROP);
            List<PipelineResult> failed = processAll(PipelineOptions.builder()
                    .s3(s3.sharedClientOptions().build())
                    .webhook(WebhookEndpoint.builder(front.front(receiver.url()))
                            .retry(Retry.backoff(2, Duration.ofMillis(10))).build())
                    .media(MediaOptions.disabled())
                    .build(), Flux.range(11, 3).map(i -> Recordings.base(i).video(Recordings.file(dir, i + ".mkv", 1000)).build()));
            assertThat(failed).allSatisfy(r -> assertThat(r.status()).isEqualTo(Status.WEBHOOK_FAILED));

            front.plan(i -> Fault.PASS);
            for (long id = 11; id <= 13; id++) {
                StepVerifier.create(pipeline.retry(id))
                        .assertNext(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED))
                        .expectComplete()
                        .verify(LIMIT);
            }
            assertThat(receiver.assertEveryDeliveredRepeatsSameId(List.of(11L, 12L, 13L))).isZero();
        }
    }

    @Test
    void aResetAfterTheReceiverActedIsRetriedWithTheSameWebhookIdAndUpsertsOnce() {
        try (FaultyFront front = FaultyFront.in(java.net.URI.create(receiver.url()))) {
            front.next(1, Fault.RESET_RESPONSE);

            PipelineResult result = submit(PipelineOptions.builder()
                    .s3(s3.sharedClientOptions().build())
                    .webhook(fastEndpoint(front.front(receiver.url())).build())
                    .media(MediaOptions.disabled())
                    .build(), Recordings.base(21).video(Recordings.file(dir, "v.mkv", 1000)).build());

            WebhookOutcome webhook = result.webhooks().get(0);
            assertThat(webhook.delivered()).isTrue();
            assertThat(webhook.attempts()).isEqualTo(2);
            assertThat(webhook.action()).contains("updated");
            List<TestReceiver.Request> requests = receiver.requests();
            assertThat(requests).hasSize(2);
            assertThat(requests.get(1).headers().get("webhook-id")).isEqualTo(requests.get(0).headers().get("webhook-id"));
            assertThat(receiver.assertEveryDeliveredRepeatsSameId(List.of(21L)))
                    .as("the lost answer makes one repeat, with the same webhook-id").isEqualTo(1);
            assertThat(receiver.recordings()).hasSize(1);
        }
    }

    @Test
    void aConnectionClosedBeforeTheAnswerIsRetried() {
        try (FaultyFront front = FaultyFront.in(java.net.URI.create(receiver.url()))) {
            front.next(2, Fault.CLOSE_BEFORE_ANSWER);

            PipelineResult result = submit(PipelineOptions.builder()
                    .s3(s3.sharedClientOptions().build())
                    .webhook(fastEndpoint(front.front(receiver.url())).build())
                    .media(MediaOptions.disabled())
                    .build(), Recordings.base(22).video(Recordings.file(dir, "v.mkv", 1000)).build());

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            assertThat(result.webhooks().get(0).attempts()).isEqualTo(3);
            assertThat(receiver.assertEveryDeliveredRepeatsSameId(List.of(22L)))
                    .as("closed before the receiver saw it: no repeat").isZero();
        }
    }

    @Test
    void aStallingReceiverEndsAtTheDeadlineWhileTheStreamGoesOn() {
        receiver.stallRecording(32);
        List<PipelineResult> results = processAll(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(WebhookEndpoint.builder(receiver.url())
                        .attemptTimeout(Duration.ofMillis(500))
                        .deadline(Duration.ofMillis(3000))
                        .retry(Retry.backoff(50, Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20)))
                        .build())
                .media(MediaOptions.disabled())
                .build(), Flux.range(31, 6).map(i -> Recordings.base(i).video(Recordings.file(dir, i + ".mkv", 1000)).build()));

        assertThat(results).extracting(r -> r.recordingId() + " " + r.status())
                .containsExactlyInAnyOrder("31 COMPLETED", "32 WEBHOOK_FAILED", "33 COMPLETED", "34 COMPLETED",
                        "35 COMPLETED", "36 COMPLETED");
        assertThat(results.get(results.size() - 1).recordingId()).as("the stalled one ends last").isEqualTo(32);
        WebhookOutcome stalled = results.get(results.size() - 1).webhooks().get(0);
        assertThat(stalled.state()).isEqualTo(WebhookOutcome.State.FAILED);
        assertThat(stalled.error()).contains("deadline");
        // 50 retries allowed, the deadline leaves room for about 5 (fewer on a slow machine, never more than 7)
        assertThat(stalled.attempts()).isBetween(1, 7);
    }

    @Test
    void anAnswerSlowerThanTheAttemptTimeoutIsATimeoutAndAFastEnoughOneIsDelivered() {
        try (FaultyFront impatient = FaultyFront.in(java.net.URI.create(receiver.url()));
             FaultyFront patient = FaultyFront.in(java.net.URI.create(receiver.url()))) {
            impatient.throttle(100); // the receiver's ~300-byte answer takes about 3 s
            patient.throttle(100);
            List<PipelineResult> results = processAll(PipelineOptions.builder()
                    .s3(s3.sharedClientOptions().build())
                    .webhook(WebhookEndpoint.builder(impatient.front(receiver.url())).attemptTimeout(Duration.ofMillis(500))
                            .retry(Retry.backoff(1, Duration.ofMillis(10))).build())
                    .webhook(WebhookEndpoint.builder(patient.front(receiver.url())).attemptTimeout(Duration.ofSeconds(20)).build())
                    .media(MediaOptions.disabled())
                    .build(), Flux.just(Recordings.base(42).video(Recordings.file(dir, "v.mkv", 100)).build()));

            List<WebhookOutcome> webhooks = results.get(0).webhooks();
            assertThat(webhooks.get(0).state()).isEqualTo(WebhookOutcome.State.FAILED);
            assertThat(webhooks.get(0).error()).contains("timed out").contains("2 attempts");
            assertThat(webhooks.get(1).delivered()).isTrue();
        }
    }

    @Test
    void retryAfterIsWaitedOut() {
        receiver.script(new Scripted(429, "{\"status\":\"error\",\"message\":\"slow down\"}", Map.of("Retry-After", "1"), false));

        PipelineResult result = submit(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled())
                .build(), Recordings.base(41).video(Recordings.file(dir, "v.mkv", 100)).build());

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        List<TestReceiver.Request> requests = receiver.requests();
        assertThat(requests).extracting(TestReceiver.Request::answeredWith).containsExactly(429, 201);
        assertThat(Duration.ofNanos(requests.get(1).receivedAtNanos() - requests.get(0).receivedAtNanos()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aRetryAfterOnAnAnswerThatIsNotRetriedIsNotWaitedOut() {
        Map<String, String> anHour = Map.of("Retry-After", "3600");
        receiver.script(new Scripted(404, "{\"status\":\"error\",\"message\":\"no such user\"}", anHour, false),
                new Scripted(410, "{\"status\":\"error\",\"message\":\"gone\"}", anHour, false));
        PipelineOptions options = PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled())
                .build();

        PipelineResult parked = submit(options, Recordings.base(42).video(Recordings.file(dir, "v.mkv", 100)).build());
        pipeline.close();
        PipelineResult gone = submit(options, Recordings.base(43).video(Recordings.file(dir, "w.mkv", 100)).build());

        assertThat(parked.webhooks().get(0).state()).isEqualTo(WebhookOutcome.State.PARKED);
        assertThat(parked.webhooks().get(0).attempts()).isEqualTo(1);
        assertThat(parked.webhooks().get(0).error()).doesNotContain("deadline");
        assertThat(gone.webhooks().get(0).state()).isEqualTo(WebhookOutcome.State.GONE);
        assertThat(gone.webhooks().get(0).attempts()).isEqualTo(1);
        assertThat(receiver.requests()).extracting(TestReceiver.Request::answeredWith).containsExactly(404, 410);
    }

    @Test
    void forbiddenOrMissingBucketsFailFastWithOneRequestPerFile() {
        AtomicInteger requests = new AtomicInteger();
        for (String bucket : List.of(S3TestServer.BUCKET, "no-such-bucket")) {
            String secret = bucket.equals(S3TestServer.BUCKET) ? "wrong-secret-0123456789" : S3TestServer.SECRET_KEY;
            requests.set(0);
            try (S3AsyncClient client = S3AsyncClient.builder()
                    .endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.of(S3TestServer.REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, secret)))
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .overrideConfiguration(o -> o.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry())
                            .addExecutionInterceptor(new ExecutionInterceptor() {
                                @Override
                                public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                                    requests.incrementAndGet();
                                }
                            }))
                    .build()) {
                PipelineResult result = submit(PipelineOptions.builder()
                        .s3(s3.options().bucket(bucket).client(client).build())
                        .webhook(receiver.url())
                        .media(MediaOptions.disabled())
                        .build(), Recordings.threeFiles(dir, 51, 40_000, 4_000, 400));

                assertThat(result.status()).isEqualTo(Status.UPLOAD_FAILED);
                assertThat(requests.get()).as("requests against %s", bucket).isEqualTo(3);
                pipeline.close();
                pipeline = null;
            }
        }
        assertThat(receiver.requests()).isEmpty();
    }
}
