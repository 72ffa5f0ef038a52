package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** The outbox in the pipeline: parked and failed work kept, listed, retried, resumed. */
class OutboxPipelineTest extends ServersTest {

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }
    }

    PipelineOptions.Builder options(Path outboxDir) {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(WebhookEndpoint.builder(receiver.url()).retry(Retry.backoff(2, Duration.ofMillis(10))).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(outboxDir).build());
    }

    static <T> T one(reactor.core.publisher.Mono<T> mono) {
        AtomicReference<T> value = new AtomicReference<>();
        StepVerifier.create(mono).consumeNextWith(value::set).expectComplete().verify(LIMIT);
        return value.get();
    }

    @Test
    void aParkedDeliveryIsKeptAndRetriedByHandOnceTheUserExists() {
        Recording recording = Recordings.base(301).user("newcomer", "newcomer@example.com")
                .video(Recordings.file(dir, "video.mkv", 5000)).build();
        try (RecordingPipeline pipeline = RecordingPipeline.create(options(dir.resolve("outbox")).build())) {
            PipelineResult first = one(pipeline.submit(recording));
            assertThat(first.status()).isEqualTo(Status.WEBHOOK_FAILED);
            assertThat(first.webhooks().get(0).state()).isEqualTo(WebhookOutcome.State.PARKED);

            StepVerifier.create(pipeline.pending())
                    .assertNext(e -> {
                        assertThat(e.id()).isEqualTo(301);
                        assertThat(e.state()).isEqualTo(OutboxEntry.State.PARKED);
                        assertThat(e.reason()).contains("404").contains("newcomer@example.com");
                        assertThat(e.attempts()).isEqualTo(1);
                        assertThat(e.nextAttemptAt()).isNotNull();
                    })
                    .expectComplete()
                    .verify(LIMIT);

            receiver.addUser("newcomer@example.com");
            PipelineResult retried = one(pipeline.retry(301));

            assertThat(retried.status()).isEqualTo(Status.COMPLETED);
            assertThat(retried.webhooks().get(0).action()).contains("created");
            assertThat(retried.files().get(0).attempts()).as("not uploaded again").isEqualTo(first.files().get(0).attempts());
            List<TestReceiver.Request> requests = receiver.requests();
            assertThat(requests).hasSize(2);
            assertThat(requests.get(1).headers().get("webhook-id")).isEqualTo(requests.get(0).headers().get("webhook-id"));
            StepVerifier.create(pipeline.pending()).expectComplete().verify(LIMIT);
            assertThat(one(pipeline.outbox().entry(301)).state()).isEqualTo(OutboxEntry.State.DONE);
            assertThat(one(pipeline.outbox().entry(301)).attempts()).isEqualTo(2);
        }
    }

    @Test
    void a410DisablesTheEndpointUntilItIsEnabledAgain() {
        receiver.script(Scripted.status(410));
        try (RecordingPipeline pipeline = RecordingPipeline.create(options(dir.resolve("outbox")).build())) {
            PipelineResult gone = one(pipeline.submit(Recordings.base(302).video(Recordings.file(dir, "a.mkv", 100)).build()));
            PipelineResult skipped = one(pipeline.submit(Recordings.base(303).video(Recordings.file(dir, "b.mkv", 100)).build()));

            assertThat(gone.webhooks().get(0).state()).isEqualTo(WebhookOutcome.State.GONE);
            assertThat(skipped.webhooks().get(0).state()).isEqualTo(WebhookOutcome.State.GONE);
            assertThat(skipped.webhooks().get(0).attempts()).isZero();
            assertThat(skipped.reason()).hasValueSatisfying(r -> assertThat(r).contains("enableEndpoint"));
            assertThat(receiver.requests()).hasSize(1);

            StepVerifier.create(pipeline.enableEndpoint(receiver.url())).expectComplete().verify(LIMIT);
            assertThat(one(pipeline.retry(303)).status()).isEqualTo(Status.COMPLETED);
            assertThat(receiver.stored(303)).isNotNull();
        }
    }

    @Test
    void failedDeliveriesComeBackOnTheSlowScheduleUntilTheGiveUpAge() {
        TestClock clock = new TestClock();
        receiver.always(Scripted.status(503));
        PipelineOptions options = options(dir.resolve("outbox")).clock(clock)
                .outbox(OutboxOptions.builder().directory(dir.resolve("outbox"))
                        .retrySchedule(List.of(Duration.ofMinutes(10), Duration.ofHours(1)))
                        .giveUpAfter(Duration.ofHours(3)).build())
                .build();
        try (RecordingPipeline pipeline = RecordingPipeline.create(options)) {
            assertThat(one(pipeline.submit(Recordings.base(304).video(Recordings.file(dir, "v.mkv", 100)).build())).status())
                    .isEqualTo(Status.WEBHOOK_FAILED);
            assertThat(one(pipeline.outbox().entry(304)).nextAttemptAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));

            StepVerifier.create(pipeline.retryDue()).expectComplete().verify(LIMIT);
            clock.advance(Duration.ofMinutes(11));
            StepVerifier.create(pipeline.retryDue())
                    .assertNext(r -> assertThat(r.status()).isEqualTo(Status.WEBHOOK_FAILED))
                    .expectComplete().verify(LIMIT);
            assertThat(one(pipeline.outbox().entry(304)).nextAttemptAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));

            clock.advance(Duration.ofHours(4));
            StepVerifier.create(pipeline.retryDue()).expectNextCount(1).expectComplete().verify(LIMIT);
            OutboxEntry entry = one(pipeline.outbox().entry(304));
            assertThat(entry.state()).isEqualTo(OutboxEntry.State.GAVE_UP);
            assertThat(entry.nextAttemptAt()).isNull();
            assertThat(entry.attempts()).isEqualTo(3);

            receiver.always(null);
            StepVerifier.create(pipeline.retryDue()).expectComplete().verify(LIMIT);
            assertThat(one(pipeline.retry(304)).status()).as("by hand it still goes").isEqualTo(Status.COMPLETED);
        }
    }

    @Test
    void resumeFinishesInterruptedWorkWithoutRedoingIt() throws InterruptedException {
        receiver.always(Scripted.stalling());
        Path outboxDir = dir.resolve("outbox");
        Recording recording = Recordings.threeFiles(dir, 305, 20_000, 2_000, 200);
        try (RecordingPipeline pipeline = RecordingPipeline.create(options(outboxDir)
                .webhooks(List.of(WebhookEndpoint.builder(receiver.url()).attemptTimeout(Duration.ofSeconds(20)).build()))
                .build())) {
            Disposable running = pipeline.submit(recording).subscribe();
            assertThat(receiver.awaitRequests(1, LIMIT)).isTrue();
            running.dispose();
            assertThat(receiver.requests()).hasSize(1);
        }
        receiver.always(null);
        String firstWebhookId = receiver.requests().get(0).headers().get("webhook-id");

        try (RecordingPipeline pipeline = RecordingPipeline.create(options(outboxDir).build())) {
            StepVerifier.create(pipeline.resume())
                    .assertNext(r -> {
                        assertThat(r.status()).isEqualTo(Status.COMPLETED);
                        assertThat(r.files()).extracting(FileOutcome::name)
                                .containsExactly("video.mkv", "thumbnail.jpg", "transcript.txt");
                    })
                    .expectComplete()
                    .verify(LIMIT);
            StepVerifier.create(pipeline.resume()).expectComplete().verify(LIMIT);
        }
        List<TestReceiver.Request> requests = receiver.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).headers().get("webhook-id")).isEqualTo(firstWebhookId);
        assertThat(receiver.assertEveryDeliveredRepeatsSameId(List.of(305L))).as("the stalled request was never taken").isZero();
    }

    @Test
    void resendDeliversAgainToOneEndpointWithTheSameWebhookIdEvenWhenItTookIt() {
        try (RecordingPipeline pipeline = RecordingPipeline.create(options(dir.resolve("outbox")).build())) {
            Recording recording = Recordings.base(307).video(Recordings.file(dir, "video.mkv", 3000)).build();
            PipelineResult first = one(pipeline.submit(recording));
            assertThat(first.status()).isEqualTo(Status.COMPLETED);

            PipelineResult again = one(pipeline.resend(307, receiver.url()));

            assertThat(again.status()).isEqualTo(Status.COMPLETED);
            assertThat(again.files().get(0).attempts()).as("not uploaded again").isEqualTo(first.files().get(0).attempts());
            List<TestReceiver.Request> requests = receiver.requests();
            assertThat(requests).hasSize(2);
            assertThat(requests.get(1).headers().get("webhook-id")).isEqualTo(requests.get(0).headers().get("webhook-id"));
            assertThat(requests.get(1).answeredWith()).as("the receiver's upsert: updated").isEqualTo(200);
            StepVerifier.create(pipeline.resend(307, "https://elsewhere.example/hook"))
                    .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("no endpoint"))
                    .verify(LIMIT);
            StepVerifier.create(pipeline.resend(999, receiver.url()))
                    .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("is not in the outbox"))
                    .verify(LIMIT);
            assertThat(receiver.requests()).hasSize(2);
        }
    }

    @Test
    void anUnknownRecordingCannotBeRetried() {
        try (RecordingPipeline pipeline = RecordingPipeline.create(options(dir.resolve("outbox")).build())) {
            StepVerifier.create(pipeline.retry(999))
                    .expectErrorMessage("recording 999 is not in the outbox (never accepted, or pruned after completion)")
                    .verify(LIMIT);
        }
    }

    @Test
    void withTheOutboxDisabledNothingIsKept() {
        try (RecordingPipeline pipeline = RecordingPipeline.create(options(dir.resolve("outbox"))
                .outbox(OutboxOptions.disabled()).build())) {
            receiver.always(Scripted.status(503));
            assertThat(one(pipeline.submit(Recordings.base(306).video(Recordings.file(dir, "v.mkv", 10)).build())).status())
                    .isEqualTo(Status.WEBHOOK_FAILED);
            StepVerifier.create(pipeline.pending()).expectComplete().verify(LIMIT);
        }
        assertThat(dir.resolve("outbox")).doesNotExist();
    }
}
