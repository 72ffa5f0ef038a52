package dev.reelay.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver.Scripted;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The pipeline's event stream, against a real S3 API server and a real receiver. */
class EventsTest extends ServersTest {

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled());
    }

    /** Collects every event of the pipeline until its stream completes. */
    static final class Collector {
        final List<PipelineEvent> events = new CopyOnWriteArrayList<>();
        final CountDownLatch completed = new CountDownLatch(1);

        Collector(RecordingPipeline pipeline) {
            pipeline.events().subscribe(events::add, e -> { }, completed::countDown);
        }

        List<PipelineEvent> untilComplete() throws InterruptedException {
            assertThat(completed.await(30, TimeUnit.SECONDS)).as("the events completed after close()").isTrue();
            return events;
        }
    }

    @Test
    void eachRecordingTellsItsStoryInOrderAndTheStreamCompletesOnClose() throws Exception {
        Recording completed = Recordings.base(171).video(Recordings.file(dir.resolve("171"), "video.mkv", 2048)).build();
        Recording retried = Recordings.base(172).video(Recordings.file(dir.resolve("172"), "video.mkv", 3000)).build();
        Recording partial = Recordings.base(173).video(Recordings.file(dir.resolve("173"), "video.mkv", 4000))
                .transcript(dir.resolve("173").resolve("transcript.txt")).build();
        Recording parked = Recordings.base(174).user("nobody", "nobody@example.com")
                .video(Recordings.file(dir.resolve("174"), "video.mkv", 5000)).build();
        receiver.script(172, Scripted.status(503));
        pipeline = RecordingPipeline.create(options().build());
        Collector collector = new Collector(pipeline);

        List<PipelineResult> results = new ArrayList<>();
        StepVerifier.create(pipeline.process(Flux.just(completed, retried, partial, parked)))
                .recordWith(() -> results)
                .expectNextCount(4)
                .expectComplete()
                .verify(LIMIT);
        pipeline.close();
        pipeline = null;
        List<PipelineEvent> events = collector.untilComplete();

        assertThat(story(events, 171)).containsExactly("accepted 1", "started video.mkv 2048", "stored video.mkv 2048 1",
                "started metadata.json", "stored metadata.json", "metadata stored", "attempt 1 2xx 201",
                "delivery DELIVERED 1", "finished COMPLETED ran");
        assertThat(story(events, 172)).containsExactly("accepted 1", "started video.mkv 3000", "stored video.mkv 3000 1",
                "started metadata.json", "stored metadata.json", "metadata stored", "attempt 1 5xx 503",
                "attempt 2 2xx 201", "delivery DELIVERED 2", "finished COMPLETED ran");
        List<String> partialStory = story(events, 173);
        // the missing file fails at once, while the video uploads: in any order with it
        assertThat(partialStory.subList(0, 4)).containsExactlyInAnyOrder("accepted 2", "started video.mkv 4000",
                "stored video.mkv 4000 1", "failed transcript.txt 0");
        assertThat(partialStory.get(0)).isEqualTo("accepted 2");
        assertThat(partialStory.indexOf("started video.mkv 4000")).isLessThan(partialStory.indexOf("stored video.mkv 4000 1"));
        assertThat(partialStory.subList(4, partialStory.size())).containsExactly("started metadata.json",
                "stored metadata.json", "metadata stored", "attempt 1 2xx 201", "delivery DELIVERED 1", "finished PARTIAL ran");
        assertThat(story(events, 174)).containsExactly("accepted 1", "started video.mkv 5000", "stored video.mkv 5000 1",
                "started metadata.json", "stored metadata.json", "metadata stored", "attempt 1 4xx 404",
                "delivery PARKED 1", "finished WEBHOOK_FAILED ran");

        UploadFailed missing = only(events, UploadFailed.class, 173);
        assertThat(missing.error()).contains("recording 173").contains("transcript.txt").contains("file not found");
        RecordingFinished partialEnd = only(events, RecordingFinished.class, 173);
        assertThat(partialEnd.filesStored()).isEqualTo(1);
        assertThat(partialEnd.filesFailed()).isEqualTo(1);
        assertThat(partialEnd.reasonText()).hasValueSatisfying(r -> assertThat(r).contains("transcript.txt"));
        assertThat(partialEnd.webhooks()).extracting(WebhookOutcome::state).containsExactly(WebhookOutcome.State.DELIVERED);
        assertThat(results).extracting(PipelineResult::status).containsExactlyInAnyOrder(PipelineResult.Status.COMPLETED,
                PipelineResult.Status.COMPLETED, PipelineResult.Status.PARTIAL, PipelineResult.Status.WEBHOOK_FAILED);
        for (PipelineEvent e : events) {
            if (e instanceof WebhookAttempted a) {
                assertThat(a.endpoint()).isEqualTo(receiver.url());
                assertThat(a.duration()).isPositive();
            }
        }
        // progress: between each file's start and its end, growing, the last one the whole file
        for (long id : List.of(171L, 172L, 173L, 174L)) {
            for (String file : List.of("video.mkv", "metadata.json")) {
                List<RecordingEvent> ofFile = events.stream().filter(e -> e instanceof RecordingEvent r
                                && r.recordingId() == id && file.equals(fileName(e)))
                        .map(RecordingEvent.class::cast).toList();
                assertThat(ofFile.get(0)).as("%d %s", id, file).isInstanceOf(UploadStarted.class);
                assertThat(ofFile.get(ofFile.size() - 1)).isInstanceOf(UploadStored.class);
                List<UploadProgressed> progress = ofFile.subList(1, ofFile.size() - 1).stream()
                        .map(UploadProgressed.class::cast).toList();
                assertThat(progress).as("%d %s", id, file).isNotEmpty();
                for (int i = 1; i < progress.size(); i++) {
                    assertThat(progress.get(i).bytesSent()).isGreaterThan(progress.get(i - 1).bytesSent());
                }
                UploadProgressed last = progress.get(progress.size() - 1);
                assertThat(last.bytesSent()).isEqualTo(last.totalBytes());
            }
        }
    }

    @Test
    void aSubscriberThatTakesNothingDoesNotHoldThePipelineAndHearsHowManyItLost() throws Exception {
        pipeline = RecordingPipeline.create(options().build());
        Collector all = new Collector(pipeline);
        List<PipelineEvent> late = new CopyOnWriteArrayList<>();
        CountDownLatch lateDone = new CountDownLatch(1);
        BaseSubscriber<PipelineEvent> asleep = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                // takes nothing until told
            }

            @Override
            protected void hookOnNext(PipelineEvent value) {
                late.add(value);
            }

            @Override
            protected void hookOnComplete() {
                lateDone.countDown();
            }
        };
        pipeline.events(8).subscribe(asleep);

        StepVerifier.create(pipeline.process(Flux.range(181, 6).map(id -> Recordings.base(id)
                        .video(Recordings.file(dir.resolve("" + id), "video.mkv", 10_000)).build())))
                .expectNextCount(6)
                .expectComplete()
                .verify(LIMIT);
        RecordingPipeline closing = pipeline;
        pipeline = null;
        closing.close();
        List<PipelineEvent> events = all.untilComplete();
        assertThat(lateDone.getCount()).as("a subscriber with no demand is not completed past its events").isEqualTo(1);

        asleep.request(Long.MAX_VALUE);
        assertThat(lateDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(late).hasSize(9);
        assertThat(late.get(0)).isInstanceOfSatisfying(EventsDropped.class,
                d -> assertThat(d.count()).isEqualTo(events.size() - 8));
        assertThat(events).containsAll(late.subList(1, 9));
        assertThat(events).noneMatch(e -> e instanceof EventsDropped);
        assertThat(((dev.reelay.internal.pipeline.DefaultRecordingPipeline) closing).droppedEvents())
                .isEqualTo(events.size() - 8);
    }

    @Test
    void aRunCutOffByCloseIsInterruptedAndTheNextPipelineResumesIt() throws Exception {
        Recording recording = Recordings.base(195).video(Recordings.file(dir.resolve("195"), "video.mkv", 4L << 20)).build();
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(512L << 10);
            PipelineOptions options = options().s3(s3.options(front.endpoint()).build()).build();
            pipeline = RecordingPipeline.create(options);
            Collector first = new Collector(pipeline);
            CountDownLatch underWay = new CountDownLatch(1);
            pipeline.events().ofType(UploadProgressed.class).subscribe(p -> underWay.countDown());
            pipeline.process(Flux.just(recording)).subscribe(r -> { }, e -> { });
            assertThat(underWay.await(30, TimeUnit.SECONDS)).isTrue();

            pipeline.close(Duration.ZERO);
            pipeline = null;

            assertThat(story(first.untilComplete(), 195)).containsExactly("accepted 1", "started video.mkv 4194304",
                    "interrupted");
            front.throttleUploads(0);
            pipeline = RecordingPipeline.create(options);
            Collector second = new Collector(pipeline);
            StepVerifier.create(pipeline.resume()).expectNextCount(1).expectComplete().verify(LIMIT);
            pipeline.close();
            pipeline = null;
            List<String> resumed = story(second.untilComplete(), 195);
            assertThat(resumed.get(0)).startsWith("resumed ");
            assertThat(resumed.get(resumed.size() - 1)).isEqualTo("finished COMPLETED ran");
        }
    }

    @Test
    void aSubscriptionAfterCloseCompletesAtOnce() {
        pipeline = RecordingPipeline.create(options().build());
        RecordingPipeline closed = pipeline;
        pipeline = null;
        closed.close();

        StepVerifier.create(closed.events()).expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test
    void answersGivenWithoutARunAreFinishedEventsToo() throws Exception {
        pipeline = RecordingPipeline.create(options().build());
        Collector collector = new Collector(pipeline);
        Recording invalid = Recordings.base(191).user("x", "not-an-email").video(Recordings.file(dir, "v.mkv", 10)).build();

        StepVerifier.create(pipeline.submit(invalid))
                .assertNext(r -> assertThat(r.status()).isEqualTo(PipelineResult.Status.REJECTED))
                .expectComplete()
                .verify(LIMIT);
        pipeline.close();
        pipeline = null;

        assertThat(collector.untilComplete()).singleElement().isInstanceOfSatisfying(RecordingFinished.class, f -> {
            assertThat(f.recordingId()).isEqualTo(191);
            assertThat(f.status()).isEqualTo(PipelineResult.Status.REJECTED);
            assertThat(f.ran()).isFalse();
            assertThat(f.duration()).isZero();
            assertThat(f.reasonText()).hasValueSatisfying(r -> assertThat(r).contains("email"));
        });
    }

    private static <T extends RecordingEvent> T only(List<PipelineEvent> events, Class<T> type, long id) {
        List<T> found = events.stream().filter(type::isInstance).map(type::cast).filter(e -> e.recordingId() == id).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static String fileName(PipelineEvent e) {
        if (e instanceof UploadStarted s) {
            return s.fileName();
        } else if (e instanceof UploadProgressed p) {
            return p.fileName();
        } else if (e instanceof UploadStored s) {
            return s.fileName();
        } else if (e instanceof UploadFailed f) {
            return f.fileName();
        }
        return null;
    }

    /** What happened to one recording, in order, progress left out: one word or a few per event. */
    static List<String> story(List<PipelineEvent> events, long id) {
        return events.stream()
                .filter(e -> e instanceof RecordingEvent r && r.recordingId() == id && !(e instanceof UploadProgressed))
                .map(e -> {
                    if (e instanceof RecordingAccepted a) {
                        return "accepted " + a.files();
                    } else if (e instanceof RecordingResumed r) {
                        return "resumed " + r.attempt();
                    } else if (e instanceof UploadStarted s) {
                        return "started " + s.fileName() + (s.fileName().equals("metadata.json") ? "" : " " + s.bytes());
                    } else if (e instanceof UploadStored s) {
                        return "stored " + s.fileName() + (s.fileName().equals("metadata.json") ? ""
                                : " " + s.bytes() + " " + s.attempts());
                    } else if (e instanceof UploadFailed f) {
                        return "failed " + f.fileName() + " " + f.attempts();
                    } else if (e instanceof MetadataStored) {
                        return "metadata stored";
                    } else if (e instanceof WebhookAttempted a) {
                        return "attempt " + a.attempt() + " " + a.outcome() + " " + a.statusCode();
                    } else if (e instanceof WebhookFinished f) {
                        return "delivery " + f.outcome().state() + " " + f.outcome().attempts();
                    } else if (e instanceof RecordingFinished f) {
                        return "finished " + f.status() + (f.ran() ? " ran" : "");
                    } else if (e instanceof RecordingInterrupted) {
                        return "interrupted";
                    } else if (e instanceof JournalProblem p) {
                        return "journal problem " + p.what();
                    }
                    return e.getClass().getSimpleName();
                })
                .collect(Collectors.toList());
    }
}
