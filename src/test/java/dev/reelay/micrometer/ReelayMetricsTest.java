package dev.reelay.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reelay.PipelineOptions;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver.Scripted;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The meters after real runs against a real S3 API server and a real receiver. */
class ReelayMetricsTest extends ServersTest {

    final MeterRegistry registry = new SimpleMeterRegistry();

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled());
    }

    String endpoint() {
        return "127.0.0.1:" + receiver.port();
    }

    double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    long timed(String name, String... tags) {
        return registry.get(name).tags(tags).timer().count();
    }

    double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void metersCountWhatTheRunsDid() {
        Recording completed = Recordings.base(201).video(Recordings.file(dir.resolve("201"), "video.mkv", 2048)).build();
        Recording retried = Recordings.base(202).video(Recordings.file(dir.resolve("202"), "video.mkv", 3000)).build();
        Recording partial = Recordings.base(203).video(Recordings.file(dir.resolve("203"), "video.mkv", 4000))
                .transcript(dir.resolve("203").resolve("transcript.txt")).build();
        Recording parked = Recordings.base(204).user("nobody", "nobody@example.com")
                .video(Recordings.file(dir.resolve("204"), "video.mkv", 5000)).build();
        receiver.script(202, Scripted.status(503));
        pipeline = RecordingPipeline.create(options().build());
        ReelayMetrics.builder(pipeline).tags(Tags.of("pipeline", "test")).build().bindTo(registry);

        StepVerifier.create(pipeline.process(Flux.just(completed, retried, partial, parked)))
                .expectNextCount(4)
                .expectComplete()
                .verify(LIMIT);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(count("reelay.recordings", "status", "completed")).isEqualTo(2);
            assertThat(count("reelay.recordings", "status", "partial")).isEqualTo(1);
            assertThat(count("reelay.recordings", "status", "webhook_failed")).isEqualTo(1);
            assertThat(gauge("reelay.journal.backlog", "state", "pending")).isEqualTo(1);
            assertThat(gauge("reelay.journal.backlog", "state", "parked")).isEqualTo(1);
        });
        assertThat(count("reelay.recordings", "status", "upload_failed")).isZero();
        assertThat(timed("reelay.recording.duration", "status", "completed")).isEqualTo(2);
        assertThat(timed("reelay.uploads", "role", "video", "outcome", "stored")).isEqualTo(4);
        assertThat(timed("reelay.uploads", "role", "metadata", "outcome", "stored")).isEqualTo(4);
        assertThat(timed("reelay.uploads", "role", "transcript", "outcome", "failed")).isEqualTo(1);
        assertThat(count("reelay.upload.bytes", "role", "video")).isEqualTo(2048 + 3000 + 4000 + 5000);
        assertThat(count("reelay.upload.attempts", "role", "video")).isEqualTo(4);
        assertThat(count("reelay.upload.retries", "role", "video")).isZero();
        assertThat(timed("reelay.webhook.attempts", "endpoint", endpoint(), "outcome", "2xx")).isEqualTo(3);
        assertThat(timed("reelay.webhook.attempts", "endpoint", endpoint(), "outcome", "5xx")).isEqualTo(1);
        assertThat(timed("reelay.webhook.attempts", "endpoint", endpoint(), "outcome", "4xx")).isEqualTo(1);
        assertThat(registry.get("reelay.webhook.attempts").tags("outcome", "2xx").timer().totalTime(TimeUnit.NANOSECONDS))
                .isPositive();
        assertThat(count("reelay.webhook.deliveries", "endpoint", endpoint(), "state", "delivered")).isEqualTo(3);
        assertThat(count("reelay.webhook.deliveries", "endpoint", endpoint(), "state", "parked")).isEqualTo(1);
        assertThat(gauge("reelay.recordings.active")).isZero();
        assertThat(gauge("reelay.uploads.active")).isZero();
        assertThat(gauge("reelay.journal.backlog", "state", "in_progress")).isZero();
        assertThat(registry.get("reelay.journal.backlog.age").timeGauge().value(TimeUnit.MILLISECONDS)).isPositive();
        assertThat(registry.get("reelay.events.dropped").functionCounter().count()).isZero();
        assertThat(count("reelay.journal.problems")).isZero();
        assertThat(registry.getMeters()).allSatisfy(m -> {
            assertThat(m.getId().getTag("pipeline")).isEqualTo("test");
            assertThat(m.getId().getTags()).noneMatch(t -> t.getValue().contains("http") || t.getValue().contains("204"));
        });
    }

    @Test
    void theBacklogGaugeFollowsTheJournal() {
        pipeline = RecordingPipeline.create(options().build());
        ReelayMetrics.of(pipeline).bindTo(registry);
        Flux<Recording> unknownUser = Flux.range(211, 2).map(id -> Recordings.base(id).user("late", "late@example.com")
                .video(Recordings.file(dir.resolve("" + id), "video.mkv", 1000)).build());

        StepVerifier.create(pipeline.process(unknownUser)).expectNextCount(2).expectComplete().verify(LIMIT);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(gauge("reelay.journal.backlog", "state", "parked")).isEqualTo(2));
        assertThat(registry.get("reelay.journal.backlog.age").timeGauge().value(TimeUnit.MILLISECONDS)).isPositive();

        receiver.addUser("late@example.com");
        StepVerifier.create(pipeline.retry(211).concatWith(pipeline.retry(212))).expectNextCount(2).expectComplete()
                .verify(LIMIT);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(gauge("reelay.journal.backlog", "state", "parked")).isZero();
            assertThat(registry.get("reelay.journal.backlog.age").timeGauge().value(TimeUnit.SECONDS)).isZero();
        });
        assertThat(count("reelay.recordings", "status", "completed")).isEqualTo(2);
        assertThat(count("reelay.recordings", "status", "webhook_failed")).isEqualTo(2);
    }

    @Test
    void percentileHistogramsAreThereWhenAskedFor() {
        java.util.Map<String, Boolean> histograms = new java.util.concurrent.ConcurrentHashMap<>();
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
                    io.micrometer.core.instrument.Meter.Id id,
                    io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
                histograms.put(id.getName(), Boolean.TRUE.equals(config.isPercentileHistogram()));
                return config;
            }
        });
        pipeline = RecordingPipeline.create(options().build());
        ReelayMetrics.builder(pipeline).percentileHistogram(true).build().bindTo(registry);

        StepVerifier.create(pipeline.submit(Recordings.base(221).video(Recordings.file(dir, "video.mkv", 100)).build()))
                .expectNextCount(1).expectComplete().verify(LIMIT);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(histograms)
                .containsEntry("reelay.webhook.attempts", true)
                .containsEntry("reelay.uploads", true)
                .containsEntry("reelay.recording.duration", true));
    }
}
