package dev.reelay.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.internal.media.JavaCvMedia;
import dev.reelay.internal.media.MediaStage;
import dev.reelay.internal.media.NativeMedia;
import dev.reelay.media.TestVideos.Format;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class MediaStageTest {

    private static final Duration VERIFY = Duration.ofSeconds(30);
    private static final Thumbnailer FFMPEG = Thumbnailer.javaCv();
    private static final MediaProbe PROBE = MediaProbe.javaCv();

    @TempDir
    static Path videos;
    static Path threeSeconds;
    static Path twoSeconds;

    @TempDir
    Path dir;
    Path work;
    MediaStage stage;

    @BeforeAll
    static void makeVideos() {
        threeSeconds = TestVideos.video(videos, "video", Format.MKV_MPEG4, 1280, 720, 75);
        twoSeconds = TestVideos.video(videos, "two-seconds", Format.WEBM_VP8, 320, 240, 50);
    }

    @BeforeEach
    void workDirectory() {
        work = dir.resolve("work");
    }

    @AfterEach
    void closeStage() {
        if (stage != null) {
            stage.close();
        }
    }

    private MediaStage stage(MediaOptions.Builder options) {
        stage = new MediaStage(options.workDirectory(work).build());
        return stage;
    }

    private static MediaOptions.Builder options() {
        return MediaOptions.builder().decodersInFlight(2);
    }

    private static RecordingJob job(long id, RecordingFile... files) {
        Recording.Builder recording = Recording.builder(id).title("Weekly sync").user("souvik", "souvik@example.com");
        for (RecordingFile file : files) {
            recording.file(file);
        }
        return RecordingJob.of(recording.build());
    }

    private static RecordingFile video(Path path) {
        return RecordingFile.of(FileRole.VIDEO, path);
    }

    /** Work files under the work directory, in the stage's own folder or elsewhere; its folder and lock are not work files. */
    private List<Path> workFilesOnDisk() throws IOException {
        if (!Files.exists(work)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".lock")).toList();
        }
    }

    // ---- the normal case

    @Test
    void addsAThumbnailAndTheProbedDurationThenCleansUp() throws IOException {
        MediaStage stage = stage(options());
        RecordingJob job = job(7, video(threeSeconds));

        RecordingJob done = prepared(stage.prepare(job));

        assertThat(done.warnings()).isEmpty();
        assertThat(done.probedDuration()).hasValueSatisfying(d -> assertThat(d.toMillis()).isCloseTo(3000, within(100L)));
        assertThat(done.files()).hasSize(2).startsWith(job.files().get(0));
        RecordingFile thumbnail = done.files().get(1);
        assertThat(thumbnail.role()).isEqualTo(FileRole.THUMBNAIL);
        assertThat(thumbnail.name()).isEqualTo("thumbnail.jpg");
        assertThat(thumbnail.path().getParent().getParent()).isEqualTo(work);
        assertThat(thumbnail.path().getParent().getFileName().toString()).startsWith("run-");
        assertThat(done.workFiles()).containsExactly(thumbnail.path());
        BufferedImage image = ImageIO.read(thumbnail.path().toFile());
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(TestVideos.frameShown(image, 1280, 720, 75)).isCloseTo(25, within(1.0));

        StepVerifier.create(stage.cleanup(done)).expectComplete().verify(VERIFY);

        assertThat(workFilesOnDisk()).isEmpty();
    }

    @Test
    void aHostThumbnailIsKeptAndNoFrameIsGrabbed() {
        AtomicInteger thumbnails = new AtomicInteger();
        MediaStage stage = stage(options().thumbnailer((video, target, spec) -> {
            thumbnails.incrementAndGet();
            FFMPEG.thumbnail(video, target, spec);
        }));
        Path own = dir.resolve("own-thumbnail.png");
        RecordingJob job = job(7, video(threeSeconds), RecordingFile.of(FileRole.THUMBNAIL, own));

        StepVerifier.create(stage.prepare(job))
                .assertNext(done -> {
                    assertThat(done.files()).isEqualTo(job.files());
                    assertThat(done.probedDuration()).isPresent();
                    assertThat(done.workFiles()).isEmpty();
                    assertThat(done.warnings()).isEmpty();
                })
                .expectComplete()
                .verify(VERIFY);
        assertThat(thumbnails).hasValue(0);
    }

    @Test
    void aDeclaredTwoHourDurationDoesNotMatterForATwoSecondVideo() throws IOException {
        MediaStage stage = stage(options().thumbnailOffset(Duration.ofMinutes(10)));
        Recording recording = Recording.builder(9).title("Short").user("souvik", "souvik@example.com")
                .declaredDuration(Duration.ofHours(2)).video(twoSeconds).build();

        RecordingJob done = prepared(stage.prepare(RecordingJob.of(recording)));

        assertThat(done.warnings()).isEmpty();
        assertThat(done.probedDuration()).hasValueSatisfying(d -> assertThat(d.toMillis()).isCloseTo(2000, within(100L)));
        BufferedImage image = ImageIO.read(done.files().get(1).path().toFile());
        assertThat(TestVideos.frameShown(image, 320, 240, 50) / TestVideos.FPS).isLessThanOrEqualTo(1.04);
    }

    @Test
    void aSingleFrameVideoGetsAThumbnail() {
        Path one = TestVideos.video(dir, "one", Format.MKV_MPEG4, 320, 240, 1);
        MediaStage stage = stage(options());

        StepVerifier.create(stage.prepare(job(3, video(one))))
                .assertNext(done -> {
                    assertThat(done.warnings()).isEmpty();
                    assertThat(done.probedDuration()).contains(Duration.ofMillis(40));
                    assertThat(thumbnailOf(done)).isPresent();
                })
                .expectComplete()
                .verify(VERIFY);
    }

    // ---- bad videos: a warning, never an error

    static Stream<Function<Path, Path>> badVideos() {
        return Stream.of(
                dir -> dir.resolve("missing.mkv"),
                dir -> TestVideos.empty(dir, "empty.mkv"),
                dir -> TestVideos.text(dir, "notes.mkv"),
                dir -> TestVideos.randomBytes(dir, "noise.mkv"),
                dir -> TestVideos.truncatedInFirstFrame(threeSeconds, dir.resolve("cut.mkv")),
                dir -> TestVideos.audioOnly(dir, "tone.m4a"),
                dir -> TestVideos.video(dir, "frameless", Format.MKV_MPEG4, 320, 240, 0));
    }

    @ParameterizedTest
    @MethodSource("badVideos")
    void aBadVideoEndsWithAWarningNamingTheFileNotAnError(Function<Path, Path> make) throws IOException {
        Path bad = make.apply(dir);
        String name = bad.getFileName().toString();
        MediaStage stage = stage(options());
        RecordingJob job = job(7, video(bad));

        StepVerifier.create(stage.prepare(job))
                .assertNext(done -> {
                    assertThat(done.warnings()).singleElement().asString().startsWith("recording 7: " + name + ": duration not probed, thumbnail not made: ");
                    assertThat(thumbnailOf(done)).isEmpty();
                    assertThat(done.probedDuration()).isEmpty();
                    assertThat(done.workFiles()).isEmpty();
                })
                .expectComplete()
                .verify(VERIFY);
        assertThat(workFilesOnDisk()).isEmpty();
    }

    // ---- work files

    @Test
    void noWorkFileIsLeftWhenTheThumbnailerFails() throws IOException {
        MediaStage stage = stage(options().thumbnailer((video, target, spec) -> {
            writeHalfAJpeg(target);
            throw new IllegalStateException("encoder exploded");
        }));

        StepVerifier.create(stage.prepare(job(7, video(threeSeconds))))
                .assertNext(done -> {
                    assertThat(done.warnings()).containsExactly(
                            "recording 7: video.mkv: thumbnail not made: java.lang.IllegalStateException: encoder exploded");
                    assertThat(done.probedDuration()).isPresent();
                    assertThat(done.workFiles()).isEmpty();
                    assertThat(thumbnailOf(done)).isEmpty();
                })
                .expectComplete()
                .verify(VERIFY);
        assertThat(workFilesOnDisk()).isEmpty();
    }

    @Test
    void noWorkFileIsLeftWhenCancelledMidDecode() throws IOException, InterruptedException {
        CountDownLatch decoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Like FFmpeg, it does not stop when the subscriber goes away: it finishes, then the file must go.
        Thumbnailer slow = (video, target, spec) -> {
            writeHalfAJpeg(target);
            decoding.countDown();
            awaitUninterruptibly(release);
            FFMPEG.thumbnail(video, target, spec);
        };
        MediaStage stage = stage(options().decodersInFlight(1).thumbnailer(slow));
        RecordingJob job = job(7, video(threeSeconds));

        StepVerifier.create(stage.prepare(job))
                .then(() -> assertThat(awaitUninterruptibly(decoding)).isTrue())
                .thenCancel()
                .verify(VERIFY);
        release.countDown();
        // One media thread, so this job runs after the cancelled decode has finished.
        RecordingJob after = job(8, video(threeSeconds), RecordingFile.of(FileRole.THUMBNAIL, dir.resolve("t.jpg")));
        StepVerifier.create(stage.prepare(after)).expectNextCount(1).expectComplete().verify(VERIFY);
        StepVerifier.create(stage.cleanup(job)).expectComplete().verify(VERIFY);

        assertThat(workFilesOnDisk()).isEmpty();
    }

    @Test
    void cleanupIgnoresFilesAlreadyGone() {
        MediaStage stage = stage(options());
        RecordingJob job = job(7, video(threeSeconds)).withWorkFile(dir.resolve("gone.jpg"));

        StepVerifier.create(stage.cleanup(job)).expectComplete().verify(VERIFY);
    }

    // ---- threads

    @Test
    void decodingRunsOnlyOnMediaThreadsAndAtMostDecodersInFlightAtOnce() {
        Queue<String> threads = new ConcurrentLinkedQueue<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        MediaProbe probe = video -> {
            threads.add(Thread.currentThread().getName());
            return PROBE.probe(video);
        };
        Thumbnailer thumbnailer = (video, target, spec) -> {
            threads.add(Thread.currentThread().getName());
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                FFMPEG.thumbnail(video, target, spec);
            } finally {
                running.decrementAndGet();
            }
        };
        MediaStage stage = stage(options().decodersInFlight(2).probe(probe).thumbnailer(thumbnailer));

        StepVerifier.create(Flux.range(1, 6)
                        .publishOn(Schedulers.parallel())
                        .flatMap(id -> stage.prepare(job(id, video(threeSeconds)))))
                .expectNextCount(6)
                .expectComplete()
                .verify(VERIFY);

        assertThat(threads).hasSize(12).allSatisfy(name -> assertThat(name).startsWith("reelay-media"));
        assertThat(mostRunning.get()).isBetween(1, 2);
    }

    @Test
    void nothingRunsBeforeSubscription() {
        AtomicInteger probes = new AtomicInteger();
        MediaStage stage = stage(options().probe(video -> {
            probes.incrementAndGet();
            return Duration.ofSeconds(3);
        }));
        RecordingJob job = job(7, video(threeSeconds), RecordingFile.of(FileRole.THUMBNAIL, dir.resolve("t.jpg")));

        Mono<RecordingJob> prepared = stage.prepare(job);
        assertThat(probes).hasValue(0);

        StepVerifier.create(prepared).expectNextCount(1).expectComplete().verify(VERIFY);
        assertThat(probes).hasValue(1);
    }

    // ---- nothing to do

    @Test
    void aJobWithNothingForMediaPassesAsItIs() {
        AtomicInteger probes = new AtomicInteger();
        MediaProbe counting = video -> {
            probes.incrementAndGet();
            return Duration.ZERO;
        };
        RecordingJob withVideo = job(7, video(threeSeconds));
        RecordingJob rejected = withVideo.reject("recording 7: user.email is missing");
        RecordingJob noVideo = job(8, RecordingFile.of(FileRole.TRANSCRIPT, dir.resolve("transcript.txt")));

        MediaStage enabled = stage(options().probe(counting));
        StepVerifier.create(enabled.prepare(rejected)).expectNext(rejected).expectComplete().verify(VERIFY);
        StepVerifier.create(enabled.prepare(noVideo)).expectNext(noVideo).expectComplete().verify(VERIFY);
        enabled.close();
        try (MediaStage disabled = new MediaStage(MediaOptions.disabled().toBuilder().probe(counting).build())) {
            StepVerifier.create(disabled.prepare(withVideo)).expectNext(withVideo).expectComplete().verify(VERIFY);
        }

        assertThat(probes).hasValue(0);
    }

    @Test
    void aThumbnailNameAlreadyTakenIsNotOverwritten() {
        MediaStage stage = stage(options());
        RecordingJob job = job(7, video(threeSeconds), RecordingFile.of(FileRole.OTHER, dir.resolve("x.jpg"), "thumbnail.jpg"));

        StepVerifier.create(stage.prepare(job))
                .assertNext(done -> {
                    assertThat(done.files()).isEqualTo(job.files());
                    assertThat(done.warnings()).containsExactly("recording 7: video.mkv: thumbnail not made: the"
                            + " recording already has a file named thumbnail.jpg");
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void aClosedStageRefusesWork() {
        MediaStage stage = stage(options());
        stage.close();

        StepVerifier.create(stage.prepare(job(7, video(threeSeconds))))
                .expectErrorMessage("the media stage is closed")
                .verify(VERIFY);
    }

    // ---- FFmpeg missing

    @Test
    void withoutFfmpegEachJobGetsAWarningAndTheLogOneLine() {
        JavaCvMedia withoutNatives = new JavaCvMedia(new NativeMedia(() -> {
            // What JavaCPP throws on a machine without libpulse0, wrapped as JavaCV wraps it.
            throw new IOException("Failed to load class org.bytedeco.javacv.FFmpegFrameGrabber",
                    new UnsatisfiedLinkError("/root/.javacpp/cache/ffmpeg-8.1.2-1.5.14-linux-x86_64.jar/org/bytedeco/"
                            + "ffmpeg/linux-x86_64/libjniavdevice.so: libpulse.so.0: cannot open shared object file: "
                            + "No such file or directory"));
        }), 1);
        Logger logger = (Logger) LoggerFactory.getLogger("dev.reelay.media");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            MediaStage stage = stage(options().probe(withoutNatives).thumbnailer(withoutNatives));

            StepVerifier.create(Flux.range(1, 3).concatMap(id -> stage.prepare(job(id, video(threeSeconds)))))
                    .assertNext(done -> assertThat(done.warnings()).containsExactly("recording 1: thumbnails and probing"
                            + " are off: FFmpeg's native libraries could not load (libpulse.so.0 missing)"))
                    .assertNext(done -> assertThat(done.warnings()).singleElement().asString().startsWith("recording 2: "))
                    .assertNext(done -> assertThat(done.files()).hasSize(1))
                    .expectComplete()
                    .verify(VERIFY);
        } finally {
            logger.detachAppender(events);
        }

        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .isEqualTo("Thumbnails and duration probing are off: FFmpeg's native libraries could not load"
                        + " (libpulse.so.0 missing). Install it (Debian/Ubuntu: apt-get install libpulse0) or disable"
                        + " media with MediaOptions.disabled().");
    }

    @Test
    void withoutFfmpegTheHostsOwnThumbnailerStillRuns() {
        JavaCvMedia withoutNatives = new JavaCvMedia(new NativeMedia(() -> {
            throw new UnsatisfiedLinkError("libjniavdevice.so: libpulse.so.0: cannot open shared object file");
        }), 1);
        Thumbnailer own = (video, target, spec) -> {
            assertThat(spec.knownDuration()).isNull();
            FFMPEG.thumbnail(video, target, spec);
        };
        MediaStage stage = stage(options().probe(withoutNatives).thumbnailer(own));

        StepVerifier.create(stage.prepare(job(7, video(threeSeconds))))
                .assertNext(done -> {
                    assertThat(done.warnings()).containsExactly("recording 7: video.mkv: duration not probed:"
                            + " FFmpeg's native libraries could not load (libpulse.so.0 missing)");
                    assertThat(thumbnailOf(done)).isPresent();
                    assertThat(done.probedDuration()).isEmpty();
                })
                .expectComplete()
                .verify(VERIFY);
    }

    // ----

    /** The one job the Mono gives, checked with a time limit like every verify here. */
    private static RecordingJob prepared(Mono<RecordingJob> mono) {
        AtomicReference<RecordingJob> job = new AtomicReference<>();
        StepVerifier.create(mono).consumeNextWith(job::set).expectComplete().verify(VERIFY);
        return job.get();
    }

    private static Optional<RecordingFile> thumbnailOf(RecordingJob job) {
        return job.files().stream().filter(f -> f.role() == FileRole.THUMBNAIL).findFirst();
    }

    private static void writeHalfAJpeg(Path target) {
        try {
            Files.write(target, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2, 3});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits like a native decode does: an interrupt does not stop it. */
    private static boolean awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return latch.await(VERIFY.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
