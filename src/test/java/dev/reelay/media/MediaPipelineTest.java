package dev.reelay.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingPipeline;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Probing and thumbnails inside the whole pipeline, against the real S3 server and receiver. */
class MediaPipelineTest extends ServersTest {

    PipelineResult run(Recording recording, Path workDir, TestReceiver receiver) {
        try (RecordingPipeline pipeline = RecordingPipeline.create(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(receiver.url())
                .media(MediaOptions.builder().workDirectory(workDir).build())
                .build())) {
            PipelineResult[] result = new PipelineResult[1];
            StepVerifier.create(pipeline.submit(recording))
                    .consumeNextWith(r -> result[0] = r)
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
            return result[0];
        }
    }

    @Test
    void aVideoWithoutThumbnailGetsOneAndItsProbedDuration() throws Exception {
        Path video = TestVideos.video(dir, "video", TestVideos.Format.MKV_MPEG4, 1280, 720, 75);
        Path workDir = dir.resolve("work");
        Recording recording = Recordings.base(201).declaredDuration(Duration.ofSeconds(90)).video(video)
                .transcript(Recordings.file(dir, "transcript.txt", 100)).build();

        try (TestReceiver receiver = TestReceiver.start(Recordings.EMAIL)) {
            PipelineResult result = run(recording, workDir, receiver);

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            assertThat(result.warnings()).isEmpty();
            FileOutcome thumbnail = result.files().stream().filter(f -> f.role() == FileRole.THUMBNAIL).findFirst().orElseThrow();
            assertThat(thumbnail.key()).isEqualTo("201/thumbnail.jpg");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(s3.read("201/thumbnail.jpg")));
            assertThat(image.getWidth()).isEqualTo(640);
            assertThat(image.getHeight()).isEqualTo(360);
            var sent = receiver.requests().get(0).json();
            assertThat(sent.get("duration_seconds").asLong()).isEqualTo(3);
            assertThat(sent.get("duration_database").asLong()).isEqualTo(90);
            assertThat(sent.at("/uploaded_files/thumbnail").asText()).endsWith("/fyemeet/201/thumbnail.jpg");
            assertThat(sent.at("/file_info/individual_sizes_mb").has("thumbnail.jpg")).isTrue();
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aBrokenVideoIsStillUploadedWithAWarningAndNoThumbnail() throws Exception {
        Path video = TestVideos.text(dir, "video.mkv");
        Path workDir = dir.resolve("work");
        Recording recording = Recordings.base(202).video(video).build();

        try (TestReceiver receiver = TestReceiver.start(Recordings.EMAIL)) {
            PipelineResult result = run(recording, workDir, receiver);

            assertThat(result.status()).isEqualTo(Status.COMPLETED);
            assertThat(result.files()).extracting(FileOutcome::name).containsExactly("video.mkv");
            assertThat(result.warnings()).singleElement().asString()
                    .startsWith("recording 202: video.mkv: ").contains("thumbnail not made");
            var sent = receiver.requests().get(0).json();
            assertThat(sent.get("duration_seconds").asLong()).isEqualTo(77);
            assertThat(sent.get("uploaded_files").has("thumbnail")).isFalse();
        }
        assertThat(!Files.exists(workDir) || Files.list(workDir).findAny().isEmpty()).isTrue();
    }

    @Test
    void theWorkFileIsDeletedEvenWhenEveryUploadFails() throws Exception {
        Path video = TestVideos.video(dir, "video", TestVideos.Format.MKV_MPEG4, 320, 240, 50);
        Path workDir = dir.resolve("work");
        Recording recording = Recordings.base(203).video(video).build();

        try (TestReceiver receiver = TestReceiver.start(Recordings.EMAIL);
             RecordingPipeline pipeline = RecordingPipeline.create(PipelineOptions.builder()
                     .s3(s3.options().bucket("no-such-bucket").build())
                     .webhook(receiver.url())
                     .media(MediaOptions.builder().workDirectory(workDir).build())
                     .build())) {
            StepVerifier.create(pipeline.submit(recording))
                    .assertNext(r -> {
                        assertThat(r.status()).isEqualTo(Status.UPLOAD_FAILED);
                        assertThat(r.files()).extracting(FileOutcome::name).containsExactly("video.mkv", "thumbnail.jpg");
                    })
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aHostStageAfterTheUploadReadsTheThumbnailReelayCutWhichIsDeletedWhenTheRunEnds() throws Exception {
        Path video = TestVideos.video(dir, "video", TestVideos.Format.MKV_MPEG4, 320, 240, 50);
        Path workDir = dir.resolve("work");
        Function<Flux<RecordingJob>, Flux<RecordingJob>> readEveryFile = jobs -> jobs.flatMap(job -> Mono.fromCallable(() -> {
            long bytes = 0;
            for (RecordingFile f : job.files()) {
                bytes += Files.readAllBytes(f.path()).length;
            }
            return job.withAttribute("bytes read", bytes);
        }).subscribeOn(Schedulers.boundedElastic()));

        try (TestReceiver receiver = TestReceiver.start(Recordings.EMAIL);
             RecordingPipeline pipeline = RecordingPipeline.create(PipelineOptions.builder()
                     .s3(s3.sharedClientOptions().build())
                     .webhook(receiver.url())
                     .media(MediaOptions.builder().workDirectory(workDir).build())
                     .build(), stages -> stages.prepare()
                     .andThen(stages.upload())
                     .andThen(readEveryFile)
                     .andThen(stages.metadata())
                     .andThen(stages.deliver()))) {
            StepVerifier.create(pipeline.submit(Recordings.base(204).video(video).build()))
                    .assertNext(r -> {
                        assertThat(r.status()).isEqualTo(Status.COMPLETED);
                        assertThat(r.files()).extracting(FileOutcome::name).containsExactly("video.mkv", "thumbnail.jpg");
                        assertThat(r.job().attribute("bytes read", Long.class)).hasValue(
                                r.files().stream().mapToLong(FileOutcome::size).sum());
                    })
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertThat(left).isEmpty();
        }
    }
}
