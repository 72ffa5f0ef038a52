package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.storage.StoredObject;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.CountingStore;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Demand, concurrency and laziness: what the host can rely on when it hands in a huge Flux. */
class BoundsTest extends ServersTest {

    @Test
    void aHundredThousandRecordingsAreTakenOnlyAsFastAsTheyFinish() {
        Path video = Recordings.file(dir, "video.mkv", 1024);
        AtomicLong outstanding = new AtomicLong();
        AtomicLong mostOutstanding = new AtomicLong();
        AtomicLong taken = new AtomicLong();
        AtomicLong emitted = new AtomicLong();
        AtomicLong mostInFlight = new AtomicLong();
        PipelineOptions options = PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled())
                .build();
        int bound = options.recordingsInFlight();
        pipeline = RecordingPipeline.create(options);
        Flux<Recording> source = Flux.range(1, 100_000)
                .doOnRequest(n -> mostOutstanding.accumulateAndGet(outstanding.addAndGet(n), Math::max))
                .map(i -> Recordings.base(i).video(video).build())
                .doOnNext(r -> {
                    outstanding.decrementAndGet();
                    mostInFlight.accumulateAndGet(taken.incrementAndGet() - emitted.get(), Math::max);
                });

        StepVerifier.create(pipeline.process(source).doOnNext(r -> emitted.incrementAndGet()).take(300), 50)
                .expectNextCount(50)
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(r -> r.status() == Status.COMPLETED)
                .expectComplete()
                .verify(LIMIT);

        assertThat(emitted.get()).isEqualTo(300);
        assertThat(mostOutstanding.get()).isLessThanOrEqualTo(bound);
        assertThat(mostInFlight.get()).isLessThanOrEqualTo(bound);
        assertThat(taken.get()).isLessThanOrEqualTo(300 + bound);
        // those in flight when take(300) cancelled may have reached the receiver already
        assertThat(receiver.recordings().size()).isBetween(300, 300 + bound);
    }

    @Test
    void uploadsStayWithinTheGlobalBoundAcrossRecordings() {
        CountingStore store = new CountingStore(
                new dev.reelay.internal.storage.S3ObjectStore(s3.sharedClientOptions().build()));
        pipeline = RecordingPipeline.create(PipelineOptions.builder()
                .objectStore(store)
                .recordingsInFlight(6)
                .uploadsInFlight(3)
                .build());
        Flux<Recording> recordings = Flux.range(1, 30).map(i -> Recordings.threeFiles(dir, i, 20_000, 2_000, 200));

        StepVerifier.create(pipeline.process(recordings))
                .thenConsumeWhile(r -> r.status() == Status.COMPLETED)
                .expectComplete()
                .verify(LIMIT);

        assertThat(store.puts()).isEqualTo(30 * 4);
        assertThat(store.mostRunning()).isEqualTo(3);
    }

    @Test
    void nothingHappensBeforeSubscription() throws Exception {
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            AtomicBoolean sourceSubscribed = new AtomicBoolean();
            Flux<Recording> source = Flux.defer(() -> {
                sourceSubscribed.set(true);
                return Flux.just(Recordings.threeFiles(dir, 1, 100, 10, 1));
            });

            pipeline = RecordingPipeline.create(PipelineOptions.builder()
                    .s3(s3.options(front.endpoint()).build())
                    .webhook(receiver.url())
                    .build());
            Flux<PipelineResult> results = pipeline.process(source);
            Mono<PipelineResult> one = pipeline.submit(Recordings.threeFiles(dir, 2, 100, 10, 1));

            assertThat(sourceSubscribed).isFalse();
            assertThat(front.connections()).isZero();
            assertThat(receiver.requests()).isEmpty();

            StepVerifier.create(results.concatWith(one))
                    .expectNextCount(2)
                    .expectComplete()
                    .verify(LIMIT);
            assertThat(front.connections()).isPositive();
            assertThat(receiver.requests()).hasSize(2);
        }
    }
}
