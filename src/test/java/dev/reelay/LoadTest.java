package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.internal.storage.S3ObjectStore;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.support.CountingStore;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.FaultyFront.Fault;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.webhook.WebhookEndpoint;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** 2,000 recordings with faults on one connection in ten: none lost, the bounds held at every moment, the heap flat. */
class LoadTest extends ServersTest {

    static final int RECORDINGS = Integer.getInteger("reelay.load.recordings", 2_000);
    static final int IN_FLIGHT = 8;

    @Test
    void twoThousandRecordingsWithTenPercentFaultsLoseNothing() throws Exception {
        Path video = Recordings.file(dir, "video.mkv", 2048);
        Path transcript = Recordings.file(dir, "transcript.txt", 300);
        SplittableRandom random = new SplittableRandom(42);
        try (FaultyFront storeFront = FaultyFront.in(s3.endpoint());
             FaultyFront receiverFront = FaultyFront.in(URI.create(receiver.url()))) {
            storeFront.random(0.1, Fault.RESET_REQUEST, 7);
            storeFront.resetRequestChunks(0.1);
            receiverFront.plan(i -> {
                double r;
                synchronized (random) {
                    r = random.nextDouble();
                }
                return r < 0.04 ? Fault.RESET_RESPONSE : r < 0.07 ? Fault.DROP : r < 0.10 ? Fault.CLOSE_BEFORE_ANSWER : Fault.PASS;
            });
            receiverFront.resetRequestChunks(0.1);
            CountingStore store = new CountingStore(new S3ObjectStore(s3.options(storeFront.endpoint())
                    .retry(Retry.backoff(12, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(50))).build()));
            pipeline = RecordingPipeline.create(PipelineOptions.builder()
                    .objectStore(store)
                    .webhook(WebhookEndpoint.builder(receiverFront.front(receiver.url()))
                            .retry(Retry.backoff(12, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(50))).build())
                    .media(MediaOptions.disabled())
                    .outbox(OutboxOptions.builder().directory(dir.resolve("outbox")).build())
                    .recordingsInFlight(IN_FLIGHT)
                    .uploadsInFlight(IN_FLIGHT)
                    .build());

            AtomicLong outstanding = new AtomicLong();
            AtomicLong mostOutstanding = new AtomicLong();
            AtomicLong taken = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicLong mostInFlight = new AtomicLong();
            Map<Status, AtomicLong> statuses = new ConcurrentHashMap<>();
            java.util.List<String> notCompleted = new java.util.concurrent.CopyOnWriteArrayList<>();
            Flux<Recording> source = Flux.range(1, RECORDINGS)
                    .doOnRequest(n -> mostOutstanding.accumulateAndGet(outstanding.addAndGet(n), Math::max))
                    .map(i -> Recordings.base(i).video(video).transcript(transcript).build())
                    .doOnNext(r -> {
                        outstanding.decrementAndGet();
                        mostInFlight.accumulateAndGet(taken.incrementAndGet() - done.get(), Math::max);
                    });
            long heapBefore = usedHeapAfterGc();

            StepVerifier.create(pipeline.process(source)
                            .doOnNext(r -> {
                                done.incrementAndGet();
                                statuses.computeIfAbsent(r.status(), s -> new AtomicLong()).incrementAndGet();
                                if (r.status() != Status.COMPLETED) {
                                    notCompleted.add(r.reason().orElse("?"));
                                }
                            })
                            .then())
                    .expectComplete()
                    .verify(Duration.ofMinutes(3));
            long heapAfter = usedHeapAfterGc();

            assertThat(notCompleted).as("blocking: %s", dev.reelay.support.ReelayBlockHound.detected()).isEmpty();
            assertThat(statuses.keySet()).containsOnly(Status.COMPLETED);
            assertThat(statuses.get(Status.COMPLETED).get()).isEqualTo(RECORDINGS);
            assertThat(receiver.recordings()).hasSize(RECORDINGS);
            int repeats = receiver.assertEveryDeliveredRepeatsSameId(LongStream.rangeClosed(1, RECORDINGS).boxed().toList());
            assertThat(repeats).as("repeats come only from answers lost after the receiver acted")
                    .isLessThanOrEqualTo(receiverFront.injected(Fault.RESET_RESPONSE));
            assertThat(s3.objectCount()).isEqualTo(RECORDINGS * 3);
            System.out.printf("load: %d recordings, %d store and %d receiver faults, %d deliveries repeated%n", RECORDINGS,
                    storeFront.dropped(), receiverFront.dropped(), repeats);
            // about one request in ten was hit: ~6,000 uploads and ~2,000 deliveries
            assertThat(storeFront.dropped()).isGreaterThan(RECORDINGS * 3 / 20);
            assertThat(receiverFront.dropped()).isGreaterThan(RECORDINGS / 20);
            assertThat(mostOutstanding.get()).isLessThanOrEqualTo(IN_FLIGHT);
            assertThat(mostInFlight.get()).isLessThanOrEqualTo(IN_FLIGHT);
            assertThat(store.mostRunning()).isLessThanOrEqualTo(IN_FLIGHT);
            assertThat(heapAfter - heapBefore).as("heap retained after the run").isLessThan(32L << 20);
            StepVerifier.create(pipeline.pending()).expectComplete().verify(LIMIT);
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
