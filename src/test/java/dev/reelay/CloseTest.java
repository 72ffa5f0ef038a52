package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.ServersTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * close() stops taking recordings, lets work under way finish for the grace period, then cuts off
 * the rest so that resume() in the next pipeline finishes it: from the stored parts, with no
 * webhook in between and nothing left behind in the bucket.
 */
class CloseTest extends ServersTest {

    static final long PART = 5L << 20;
    static final long OVERHEAD = 256 * 1024;

    PipelineOptions.Builder options(S3StorageOptions storage) {
        return PipelineOptions.builder()
                .s3(storage)
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(dir.resolve("outbox")).build());
    }

    /** Subscribes, and keeps what the subscriber sees. */
    static final class Subscriber {
        final List<PipelineResult> results = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();

        Subscriber(Flux<PipelineResult> results) {
            results.subscribe(this.results::add, ended::complete, () -> ended.complete(null));
        }
    }

    @Test
    void closedMidUploadTheNextPipelineResumesFromTheStoredPartsWithNoWebhookInBetween() throws Exception {
        Path video = Recordings.file(dir.resolve("81"), "video.mkv", 6 * PART);
        Recording recording = Recordings.base(81).video(video).transcript(Recordings.file(dir.resolve("81"), "t.txt", 100))
                .build();
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(4L << 20);
            S3StorageOptions storage = s3.options(front.endpoint()).multipartThreshold(PART).partSize(PART).build();
            CountDownLatch halfway = new CountDownLatch(1);
            pipeline = RecordingPipeline.create(options(storage)
                    .uploadProgress((id, name, sent, total) -> {
                        if (name.equals("video.mkv") && sent > 3 * PART) {
                            halfway.countDown();
                        }
                    })
                    .build());
            Subscriber first = new Subscriber(pipeline.process(Flux.just(recording)));
            assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();

            long start = System.nanoTime();
            pipeline.close(Duration.ZERO);
            Duration closing = Duration.ofNanos(System.nanoTime() - start);
            pipeline = null;
            int webhooksAtClose = receiver.requests().size();

            assertThat(closing).isLessThan(Duration.ofSeconds(5));
            assertThat(first.ended.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(PipelineClosedException.class,
                    e -> assertThat(e.cutOff()).containsExactly(81L));
            assertThat(first.results).isEmpty();
            assertThat(webhooksAtClose).isZero();
            List<String> kept = s3.unfinishedUploads();
            assertThat(kept).as("the multipart upload is kept to be continued").hasSize(1);
            String[] upload = kept.get(0).split(" ");
            long held = s3.client().listParts(r -> r.bucket(S3TestServer.BUCKET).key(upload[0]).uploadId(upload[1])).join()
                    .parts().stream().mapToLong(p -> p.size()).sum();
            assertThat(held).isGreaterThanOrEqualTo(PART);
            // what the first pipeline's operating system still had buffered trickles out: not the resume's bytes
            await().atMost(Duration.ofSeconds(30)).until(() -> front.openConnections() == 0);
            front.resetCounts();

            pipeline = RecordingPipeline.create(options(storage).build());
            assertThat(receiver.requests()).as("no webhook between close and resume").hasSize(webhooksAtClose);
            List<Integer> storedParts = s3.client().listParts(r -> r.bucket(S3TestServer.BUCKET).key(upload[0])
                    .uploadId(upload[1])).join().parts().stream().map(p -> p.partNumber()).toList();
            StepVerifier.create(pipeline.outbox().entry(81))
                    .assertNext(e -> {
                        assertThat(e.state()).isEqualTo(OutboxEntry.State.IN_PROGRESS);
                        assertThat(e.attempts()).isEqualTo(1);
                        // the journal knows the upload to continue, and parts the store holds
                        MultipartProgress journaled = e.uploads().get("video.mkv");
                        assertThat(journaled.uploadId()).isEqualTo(upload[1]);
                        assertThat(journaled.parts()).isNotEmpty()
                                .allSatisfy(p -> assertThat(storedParts).contains(p.number()));
                    })
                    .expectComplete()
                    .verify(LIMIT);
            StepVerifier.create(pipeline.resume())
                    .assertNext(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED))
                    .expectComplete()
                    .verify(LIMIT);

            long rest = 6 * PART - held;
            assertThat(front.bytesUp()).as("only the parts the store did not hold, and the small files")
                    .isBetween(rest, rest + OVERHEAD);
            assertThat(s3.sha256("81/video.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(video)));
            assertThat(s3.unfinishedUploads()).isEmpty();
            assertThat(receiver.requests()).hasSize(1);
            StepVerifier.create(pipeline.outbox().entry(81))
                    .assertNext(e -> assertThat(e.attempts()).as("the cut counted no attempt").isEqualTo(1))
                    .expectComplete()
                    .verify(LIMIT);
        }
    }

    @Test
    void workUnderWayFinishesWithinTheGracePeriodAndTheStreamCompletes() throws Exception {
        try (FaultyFront slowReceiver = FaultyFront.in(URI.create(receiver.url()))) {
            slowReceiver.throttle(100); // the receiver's answer takes about 3 s
            pipeline = RecordingPipeline.create(options(s3.sharedClientOptions().build())
                    .webhooks(List.of(fastEndpoint(slowReceiver.front(receiver.url())).build()))
                    .build());
            Subscriber subscriber = new Subscriber(pipeline.process(Flux.just(
                    Recordings.base(82).video(Recordings.file(dir, "v.mkv", 1000)).build())));
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);

            pipeline.close(Duration.ofSeconds(30));
            pipeline = null;

            assertThat(subscriber.ended.get(1, TimeUnit.SECONDS)).as("completed, not cut short").isNull();
            assertThat(subscriber.results).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED));
        }
    }

    /**
     * The event loops of the S3 client and the webhooks are the pipeline's, shut down without the SDK's fixed 2 s
     * quiet period: closing a pipeline with nothing in flight takes milliseconds (a generous bound here; the
     * figure is measured in the README), its I/O threads end, and the next pipeline works.
     */
    @Test
    void closingAnIdlePipelineThatDidWorkIsQuickLeavesNoIoThreadAndTheNextPipelineWorks() {
        for (long id = 86; id <= 87; id++) {
            pipeline = RecordingPipeline.create(options(s3.options().build()).build());
            StepVerifier.create(pipeline.submit(Recordings.base(id).video(Recordings.file(dir.resolve("" + id), "v.mkv", 1000))
                            .build()))
                    .assertNext(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED))
                    .expectComplete()
                    .verify(LIMIT);
            assertThat(ioThreads()).as("S3 and the webhook ran on the pipeline's loops").isNotEmpty();

            long start = System.nanoTime();
            pipeline.close();
            Duration closing = Duration.ofNanos(System.nanoTime() - start);
            pipeline = null;

            assertThat(closing).isLessThan(Duration.ofSeconds(1));
            assertThat(ioThreads()).as("the loops have stopped when close() returns").isEmpty();
            assertThat(receiver.requests()).hasSize((int) (id - 85));
        }
    }

    private static List<String> ioThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("reelay-io-")).toList();
    }

    @Test
    void aClosedPipelineTakesNothingMore() {
        pipeline = RecordingPipeline.create(options(s3.sharedClientOptions().build()).build());
        pipeline.close();
        Recording recording = Recordings.base(83).video(Recordings.file(dir, "v.mkv", 1000)).build();

        StepVerifier.create(pipeline.process(Flux.just(recording)))
                .expectError(PipelineClosedException.class)
                .verify(LIMIT);
        StepVerifier.create(pipeline.submit(recording))
                .expectError(PipelineClosedException.class)
                .verify(LIMIT);
        assertThatThrownBy(() -> pipeline.resume().blockLast(LIMIT)).isInstanceOf(PipelineClosedException.class);
        assertThat(s3.exists("83/v.mkv")).isFalse();
    }

    @Test
    void recordingsNotYetTakenWhenClosingAreNotAcceptedAndTheStreamSaysSo() throws Exception {
        CountDownLatch underWay = new CountDownLatch(1);
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(1L << 20);
            pipeline = RecordingPipeline.create(options(s3.options(front.endpoint()).build())
                    .recordingsInFlight(1)
                    .uploadProgress((id, name, sent, total) -> underWay.countDown())
                    .build());
            Subscriber subscriber = new Subscriber(pipeline.process(Flux.range(84, 3)
                    .map(id -> Recordings.base(id).video(Recordings.file(dir.resolve("" + id), "v.mkv", 8L << 20)).build())));
            assertThat(underWay.await(60, TimeUnit.SECONDS)).isTrue();

            pipeline.close(Duration.ZERO);
            pipeline = null;

            assertThat(subscriber.ended.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(PipelineClosedException.class, e -> {
                assertThat(e.cutOff()).containsExactly(84L);
                assertThat(e.notAllTaken()).isTrue();
                assertThat(e).hasMessage("the pipeline was closed: recording 84 was cut off and left in the journal for"
                        + " resume(); recordings not yet taken from the stream were not accepted");
            });
            assertThat(receiver.requests()).isEmpty();
        }
    }
}
