package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.Recording;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingPipeline;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.internal.storage.S3ObjectStore;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.CountingStore;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import dev.reelay.webhook.WebhookEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/**
 * The journal's promises as a host meets them: resubmitting never redoes what was done, a
 * recording the journal cannot take is a result of its own, paths survive a change of working
 * directory, and stages compose with the journal whole or not at all.
 */
class JournalPipelineTest extends ServersTest {

    CountingStore store;

    PipelineOptions.Builder options(Path journal) {
        store = new CountingStore(new S3ObjectStore(s3.sharedClientOptions().build()));
        return PipelineOptions.builder()
                .objectStore(store)
                .webhook(WebhookEndpoint.builder(receiver.url()).retry(Retry.backoff(2, Duration.ofMillis(10))).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(journal).build());
    }

    static <T> T one(Mono<T> mono) {
        AtomicReference<T> value = new AtomicReference<>();
        StepVerifier.create(mono).consumeNextWith(value::set).expectComplete().verify(LIMIT);
        return value.get();
    }

    Recording recording(long id) {
        Path d = dir.resolve("rec-" + id);
        return Recordings.base(id).video(Recordings.file(d, "video.mkv", 40_000))
                .transcript(Recordings.file(d, "transcript.txt", 500)).build();
    }

    @Test
    void resubmittingACompletedRecordingReturnsItsResultWithoutDoingAnythingAgain() {
        pipeline = RecordingPipeline.create(options(dir.resolve("journal")).build());
        Recording recording = recording(401);
        PipelineResult first = one(pipeline.submit(recording));
        int puts = store.puts();

        PipelineResult again = one(pipeline.submit(recording));

        assertThat(first.status()).isEqualTo(Status.COMPLETED);
        assertThat(again.status()).isEqualTo(Status.COMPLETED);
        assertThat(again.files()).containsExactlyElementsOf(first.files());
        assertThat(again.webhooks()).containsExactlyElementsOf(first.webhooks());
        assertThat(store.puts()).as("nothing uploaded again").isEqualTo(puts);
        assertThat(store.lookups()).as("the store not even asked").isZero();
        assertThat(receiver.deliveries().get(401L)).as("nothing delivered again").hasSize(1);
    }

    @Test
    void resubmittingAParkedRecordingContinuesItAsARetryWould() {
        receiver.script(Scripted.status(404));
        pipeline = RecordingPipeline.create(options(dir.resolve("journal")).build());
        Recording recording = recording(402);
        assertThat(one(pipeline.submit(recording)).status()).isEqualTo(Status.WEBHOOK_FAILED);
        int puts = store.puts();

        PipelineResult again = one(pipeline.submit(recording));

        assertThat(again.status()).isEqualTo(Status.COMPLETED);
        assertThat(store.puts()).as("the stored files are not sent again").isEqualTo(puts);
        List<TestReceiver.Delivery> attempts = receiver.attempts();
        assertThat(attempts).extracting(TestReceiver.Delivery::status).containsExactly(404, 201);
        assertThat(attempts.get(1).webhookId()).as("the same document, the same webhook-id").isEqualTo(attempts.get(0).webhookId());
        assertThat(one(pipeline.outbox().entry(402)).attempts()).isEqualTo(2);
    }

    @Test
    void aRecordingInterruptedMidRunContinuesWhenSubmittedAgainWithoutAResume() throws Exception {
        Path journal = dir.resolve("journal");
        Recording recording = recording(403);
        receiver.always(Scripted.stalling());
        try (RecordingPipeline first = RecordingPipeline.create(options(journal)
                .webhooks(List.of(WebhookEndpoint.builder(receiver.url()).attemptTimeout(Duration.ofSeconds(30)).build()))
                .build())) {
            Disposable running = first.submit(recording).subscribe();
            assertThat(receiver.awaitRequests(1, LIMIT)).isTrue();
            running.dispose();
        }
        receiver.always(null);
        int putsBefore = store.puts();

        pipeline = RecordingPipeline.create(options(journal).build());
        PipelineResult again = one(pipeline.submit(recording));

        assertThat(again.status()).isEqualTo(Status.COMPLETED);
        assertThat(store.puts()).as("the files the first run stored are not sent again").isZero();
        assertThat(putsBefore).isEqualTo(3);
        List<TestReceiver.Delivery> attempts = receiver.attempts();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(1).webhookId()).isEqualTo(attempts.get(0).webhookId());
    }

    @Test
    void aRecordingWhoseFilesChangedIsANewVersionDoneAgainWithANewWebhookId() throws Exception {
        pipeline = RecordingPipeline.create(options(dir.resolve("journal")).build());
        Recording recording = recording(404);
        assertThat(one(pipeline.submit(recording)).status()).isEqualTo(Status.COMPLETED);
        Path video = recording.files().get(0).path();
        Files.write(video, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        int puts = store.puts();

        PipelineResult again = one(pipeline.submit(recording));

        assertThat(again.status()).isEqualTo(Status.COMPLETED);
        assertThat(store.puts() - puts).as("the files and metadata.json stored again").isEqualTo(3);
        assertThat(s3.read("404/video.mkv")).hasSize(40_003);
        List<TestReceiver.Delivery> deliveries = receiver.deliveries().get(404L);
        assertThat(deliveries).hasSize(2);
        assertThat(deliveries.get(1).webhookId()).isNotEqualTo(deliveries.get(0).webhookId());
    }

    @Test
    void aRecordingTheJournalCannotTakeIsNotAcceptedAndTheOthersGoOn() throws Exception {
        Path journal = dir.resolve("journal");
        SqliteOutbox setUp = new SqliteOutbox(journal, Clock.systemUTC(), Duration.ofDays(7));
        setUp.accept(Recordings.base(1).video(Path.of("/v")).build(), "v").block(LIMIT);
        setUp.close();
        AtomicLong cap = new AtomicLong(Files.size(journal.resolve("outbox.db")) / 4096 + 4);
        SqliteOutbox outbox = new SqliteOutbox(journal, Clock.systemUTC(), Duration.ofDays(7), cap::get);
        try {
            pipeline = RecordingPipeline.create(options(journal).outbox(OutboxOptions.builder().outbox(outbox).build()).build());
            String title = "a long title ".repeat(300);
            List<PipelineResult> results = processAll(pipeline, Flux.range(410, 20)
                    .map(i -> recording(i).toBuilder().title(title + i).build()));

            assertThat(results).hasSize(20);
            List<PipelineResult> refused = results.stream().filter(r -> r.status() == Status.NOT_ACCEPTED).toList();
            assertThat(refused).as("the journal filled up").isNotEmpty();
            assertThat(results).filteredOn(r -> r.status() != Status.NOT_ACCEPTED)
                    .isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED));
            for (PipelineResult r : refused) {
                assertThat(r.reason()).hasValueSatisfying(m -> assertThat(m)
                        .startsWith("recording " + r.recordingId() + " could not be accepted: the journal refused it")
                        .contains("is full").contains("submit it again later"));
                assertThat(s3.exists(r.recordingId() + "/video.mkv")).as("nothing done for %d", r.recordingId()).isFalse();
                StepVerifier.create(outbox.entry(r.recordingId())).as("nothing journaled for " + r.recordingId())
                        .expectComplete().verify(LIMIT);
            }

            cap.set(0); // room is made: the same pipeline takes them now
            long id = refused.get(0).recordingId();
            assertThat(one(pipeline.submit(recording(id).toBuilder().title(title + id).build())).status())
                    .isEqualTo(Status.COMPLETED);
        } finally {
            outbox.close();
        }
    }

    private List<PipelineResult> processAll(RecordingPipeline p, Flux<Recording> recordings) {
        return p.process(recordings).collectList().block(Duration.ofMinutes(2));
    }

    @Test
    void aJournalThatCouldNotBeOpenedIsTriedAgainOnTheNextCall() {
        Path journal = dir.resolve("journal");
        SqliteOutbox holder = new SqliteOutbox(journal, Clock.systemUTC(), Duration.ofDays(7));
        holder.entry(1).block(LIMIT); // opens it, and holds it
        pipeline = RecordingPipeline.create(options(journal).build());

        Recording recording = recording(420);
        PipelineResult refused = one(pipeline.submit(recording));
        holder.close();
        PipelineResult accepted = one(pipeline.submit(recording));

        assertThat(refused.status()).isEqualTo(Status.NOT_ACCEPTED);
        assertThat(refused.reason()).hasValueSatisfying(m -> assertThat(m).contains("already open in another process"));
        assertThat(accepted.status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void relativePathsAreJournaledAbsolute() {
        pipeline = RecordingPipeline.create(options(dir.resolve("journal")).build());
        Path absolute = Recordings.file(dir.resolve("rec-430"), "video.mkv", 1000);
        Path relative = Path.of("").toAbsolutePath().relativize(absolute);
        assertThat(relative.isAbsolute()).isFalse();

        assertThat(one(pipeline.submit(Recordings.base(430).video(relative).build())).status()).isEqualTo(Status.COMPLETED);

        assertThat(one(pipeline.outbox().entry(430)).recording().files().get(0).path()).isEqualTo(absolute.normalize());
    }

    @Test
    void anInvalidRecordingIsRejectedWithoutBeingJournaled() {
        pipeline = RecordingPipeline.create(options(dir.resolve("journal")).build());
        Recording noEmail = Recording.builder(435).title("t".repeat(10_000)).user("someone", null)
                .video(Recordings.file(dir, "v.mkv", 10)).build();

        assertThat(one(pipeline.submit(noEmail)).status()).isEqualTo(Status.REJECTED);
        StepVerifier.create(pipeline.outbox().entry(435)).as("refused input is not written to disk")
                .expectComplete().verify(LIMIT);
    }

    @Test
    void stagesUsedOnTheirOwnJournalNothing() {
        pipeline = RecordingPipeline.create(options(dir.resolve("journal")).build());
        StepVerifier.create(Flux.just(recording(440)).map(RecordingJob::of)
                        .transform(pipeline.prepare())
                        .transform(pipeline.upload())
                        .transform(pipeline.metadata())
                        .transform(pipeline.deliver())
                        .map(RecordingJob::result))
                .assertNext(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED))
                .expectComplete()
                .verify(LIMIT);
        StepVerifier.create(pipeline.outbox().entry(440)).expectComplete().verify(LIMIT);
    }

    @Test
    void aComposedPipelineIsJournaledWholeAndAFailingHostStageFailsItsRecordingOnly() {
        Function<Flux<RecordingJob>, Flux<RecordingJob>> picky = jobs -> jobs.map(job -> {
            if (job.id() == 451) {
                throw new IllegalStateException("the scanner choked on 451");
            }
            return job.withAttribute("scanned", Boolean.TRUE);
        });
        pipeline = RecordingPipeline.create(options(dir.resolve("journal")).build(), stages -> stages.prepare()
                .andThen(stages.upload())
                .andThen(picky)
                .andThen(stages.metadata())
                .andThen(stages.deliver()));

        List<PipelineResult> results = processAll(pipeline, Flux.just(recording(450), recording(451), recording(452)));

        assertThat(results).extracting(r -> r.recordingId() + " " + r.status())
                .containsExactlyInAnyOrder("450 COMPLETED", "451 UPLOAD_FAILED", "452 COMPLETED");
        assertThat(results).filteredOn(r -> r.status() == Status.COMPLETED)
                .allSatisfy(r -> assertThat(r.attributes()).containsEntry("scanned", true));
        assertThat(results).filteredOn(r -> r.recordingId() == 451).singleElement()
                .satisfies(r -> assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("the scanner choked on 451")));
        assertThat(one(pipeline.outbox().entry(450)).state()).isEqualTo(OutboxEntry.State.DONE);
        assertThat(one(pipeline.outbox().entry(451)).state()).as("due again").isEqualTo(OutboxEntry.State.PENDING);
        assertThat(one(pipeline.outbox().entry(451)).files()).as("what was stored before the stage failed is journaled")
                .extracting(FileOutcome::name).containsExactlyInAnyOrder("video.mkv", "transcript.txt");
    }
}
