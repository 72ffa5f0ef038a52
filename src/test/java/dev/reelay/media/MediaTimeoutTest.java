package dev.reelay.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reelay.FileRole;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.internal.media.MediaStage;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Media work that hangs ends as a warning within the media timeout, the files are stored, and the
 * decoder threads it holds are bounded and freed when the decode returns.
 */
class MediaTimeoutTest extends ServersTest {

    static final Duration TIMEOUT = Duration.ofSeconds(1);
    final CountDownLatch release = new CountDownLatch(1);
    MediaStage stage;

    /** Like FFmpeg stuck on a dead mount: deaf to interrupts, returns only when released. */
    final MediaProbe hangs = video -> {
        boolean interrupted = false;
        while (true) {
            try {
                release.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return Duration.ofSeconds(7);
    };

    @AfterEach
    void releaseAndClose() {
        release.countDown();
        if (stage != null) {
            stage.close();
        }
    }

    static RecordingJob job(long id, Path video) {
        return RecordingJob.of(Recording.builder(id).title("t").user("souvik", "souvik@example.com")
                .file(RecordingFile.of(FileRole.VIDEO, video))
                .file(RecordingFile.of(FileRole.THUMBNAIL, video.resolveSibling("t.jpg")))
                .build());
    }

    @Test
    void aProbeThatHangsEndsWithAWarningAndItsThreadIsFreedWhenItReturns() {
        stage = new MediaStage(MediaOptions.builder().probe(hangs).timeout(TIMEOUT).decodersInFlight(1)
                .workDirectory(dir.resolve("work")).build());
        Path video = Recordings.file(dir, "video.mkv", 100);

        StepVerifier.create(stage.prepare(job(1, video)))
                .assertNext(j -> assertThat(j.warnings()).containsExactly(
                        "recording 1: video.mkv: media timed out after 1 s: duration not probed, thumbnail not made"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(stage.abandonedDecodes()).isEqualTo(1);

        // one decoder, and it is held by the hung decode: the next video is not queued behind it
        StepVerifier.create(stage.prepare(job(2, video)))
                .assertNext(j -> assertThat(j.warnings()).singleElement().asString()
                        .startsWith("recording 2: video.mkv: media skipped: 1 earlier decodes did not return within 1 s"))
                .expectComplete()
                .verify(Duration.ofSeconds(1));

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> stage.abandonedDecodes() == 0);
        StepVerifier.create(stage.prepare(job(3, video)))
                .assertNext(j -> assertThat(j.probedDuration()).hasValue(Duration.ofSeconds(7)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void anAbandonedDecodeDoesNotTakeADecoderFromTheVideosAfterIt() {
        // two videos that can only finish together: they need both decoders at once
        CyclicBarrier together = new CyclicBarrier(2);
        stage = new MediaStage(MediaOptions.builder().timeout(Duration.ofSeconds(5)).decodersInFlight(2)
                .probe(video -> {
                    if (video.getFileName().toString().equals("hung.mkv")) {
                        return hangs.probe(video);
                    }
                    try {
                        together.await(4, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new MediaException(video, "the other decoder never came");
                    }
                    return Duration.ofSeconds(2);
                })
                .workDirectory(dir.resolve("work")).build());
        Path hung = Recordings.file(dir, "hung.mkv", 100);
        Path fine = Recordings.file(dir, "fine.mkv", 100);
        StepVerifier.create(stage.prepare(job(1, hung))).expectNextCount(1).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(stage.abandonedDecodes()).isEqualTo(1);

        StepVerifier.create(Flux.merge(stage.prepare(job(2, fine)), stage.prepare(job(3, fine))))
                .assertNext(j -> assertThat(j.probedDuration()).hasValue(Duration.ofSeconds(2)))
                .assertNext(j -> assertThat(j.probedDuration()).hasValue(Duration.ofSeconds(2)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aRecordingWhoseVideoHangsIsStoredWithAWarningWithinTheTimeout() {
        Path video = Recordings.file(dir, "video.mkv", 2_000);
        Recording recording = Recordings.base(71).video(video).transcript(Recordings.file(dir, "t.txt", 100)).build();
        long start = System.nanoTime();

        PipelineResult result = submit(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.builder().probe(hangs).timeout(TIMEOUT).workDirectory(dir.resolve("work")).build())
                .build(), recording);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(10));
        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(result.warnings()).containsExactly(
                "recording 71: video.mkv: media timed out after 1 s: duration not probed, thumbnail not made");
        assertThat(s3.exists("71/video.mkv")).isTrue();
        assertThat(s3.exists("71/t.txt")).isTrue();
    }

    @Test
    void aPipeAsVideoIsNotHandedToTheDecoderAndTheOtherFilesAreStored() throws Exception {
        Path fifo = dir.resolve("video.mkv");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo is available");
        AtomicBoolean opening = new AtomicBoolean();
        // a decoder opens the file to read it: on a pipe with no writer, open() blocks for good
        MediaProbe reads = video -> {
            opening.set(true);
            try (InputStream in = Files.newInputStream(video)) {
                return Duration.ofMillis(in.read());
            } catch (IOException e) {
                throw new MediaException(video, e.toString());
            }
        };
        long start = System.nanoTime();
        try {
            PipelineResult result = submit(PipelineOptions.builder()
                    .s3(s3.sharedClientOptions().build())
                    .webhook(fastEndpoint(receiver.url()).build())
                    .media(MediaOptions.builder().probe(reads).timeout(Duration.ofSeconds(5)).workDirectory(dir.resolve("work"))
                            .build())
                    .build(), Recordings.base(72).video(fifo).transcript(Recordings.file(dir, "t.txt", 100)).build());

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(result.status()).isEqualTo(Status.PARTIAL);
            assertThat(result.warnings()).containsExactly("recording 72: video.mkv: duration not probed, thumbnail not made:"
                    + " not a regular file (a pipe, a device or a folder)");
            assertThat(opening).isFalse();
            assertThat(s3.exists("72/t.txt")).isTrue();
        } finally {
            if (opening.get()) {
                // a writer lets the blocked open() return: the reader's thread ends instead of lingering in the run
                new FileOutputStream(fifo.toFile()).close();
            }
        }
    }
}
