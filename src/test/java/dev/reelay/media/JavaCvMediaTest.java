package dev.reelay.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reelay.internal.media.JavaCvMedia;
import dev.reelay.internal.media.NativeMedia;
import dev.reelay.media.TestVideos.Format;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class JavaCvMediaTest {

    private static final int FRAMES = 75; // 3 s at 25 fps
    private static final Duration THREE_SECONDS = Duration.ofSeconds(3);

    @TempDir
    static Path videos;

    @TempDir
    Path out;

    private final JavaCvMedia media = JavaCvMedia.forDecoders(1);

    @BeforeAll
    static void makeVideos() {
        for (Format format : Format.values()) {
            TestVideos.video(videos, "small-" + format, format, 320, 240, FRAMES);
            TestVideos.video(videos, "hd-" + format, format, 1280, 720, FRAMES);
        }
    }

    private static Path small(Format format) {
        return videos.resolve("small-" + format + "." + format.extension);
    }

    private static Path hd(Format format) {
        return videos.resolve("hd-" + format + "." + format.extension);
    }

    // ---- duration

    @ParameterizedTest
    @EnumSource(Format.class)
    void probesTheRecordedDurationWithinATenthOfASecond(Format format) {
        assertThat(media.probe(small(format)).toMillis()).isCloseTo(3000, within(100L));
        assertThat(media.probe(hd(format)).toMillis()).isCloseTo(3000, within(100L));
    }

    @Test
    void probesTheFramesWhenTheContainerDeclaresNoDuration() throws IOException {
        Path live = TestVideos.liveVideo(out, "live.mkv", 320, 240, FRAMES);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(live.toString())) {
            grabber.start();
            assertThat(grabber.getLengthInTime()).as("declared by the container").isZero();
        }

        assertThat(media.probe(live).toMillis()).isCloseTo(3000, within(100L));
    }

    @Test
    void aSingleFrameVideoLastsOneFrame() {
        Path one = TestVideos.video(out, "one", Format.MKV_MPEG4, 320, 240, 1);

        assertThat(media.probe(one)).isEqualTo(Duration.ofMillis(40));
    }

    // ---- thumbnail size and format

    @ParameterizedTest
    @EnumSource(Format.class)
    void thumbnailIsAJpegAtMostMaxWidthWideKeepingTheAspect(Format format) throws IOException {
        BufferedImage fromHd = thumbnail(hd(format), ThumbnailSpec.defaults(), "hd.jpg");
        assertThat(fromHd.getWidth()).isEqualTo(640);
        assertThat(fromHd.getHeight()).isCloseTo(360, within(1));

        BufferedImage fromSmall = thumbnail(small(format), ThumbnailSpec.defaults(), "small.jpg");
        assertThat(fromSmall.getWidth()).as("never upscaled").isEqualTo(320);
        assertThat(fromSmall.getHeight()).isCloseTo(240, within(1));

        BufferedImage narrow = thumbnail(hd(format), ThumbnailSpec.defaults().withMaxWidth(100), "narrow.jpg");
        assertThat(narrow.getWidth()).isEqualTo(100);
        assertThat(narrow.getHeight()).isCloseTo(56, within(1));

        byte[] jpeg = Files.readAllBytes(out.resolve("hd.jpg"));
        assertThat(jpeg).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF); // JPEG SOI marker
    }

    @Test
    void thumbnailReplacesWhatTheTargetHeld() throws IOException {
        Path target = Files.write(out.resolve("thumb.jpg"), new byte[2_000_000]);

        media.thumbnail(small(Format.MKV_MPEG4), target, ThumbnailSpec.defaults());

        assertThat(Files.size(target)).isLessThan(100_000);
        assertThat(ImageIO.read(target.toFile())).isNotNull();
    }

    @Test
    void higherQualityMakesALargerFile() throws IOException {
        Path video = hd(Format.MKV_MPEG4);
        Path low = out.resolve("low.jpg");
        Path high = out.resolve("high.jpg");
        media.thumbnail(video, low, ThumbnailSpec.defaults().withJpegQuality(0.2f));
        media.thumbnail(video, high, ThumbnailSpec.defaults().withJpegQuality(1.0f));

        assertThat(Files.size(high)).isGreaterThan(Files.size(low));
    }

    // ---- where the frame is taken

    @Test
    void thumbnailIsTakenAtTheOffsetNotTheFirstFrame() throws IOException {
        Path video = hd(Format.MKV_MPEG4);
        BufferedImage first = thumbnail(video, ThumbnailSpec.defaults().withOffset(Duration.ZERO), "first.jpg");
        BufferedImage atOneSecond = thumbnail(video, ThumbnailSpec.defaults(), "one-second.jpg");

        assertThat(TestVideos.frameShown(first, 1280, 720, FRAMES)).isCloseTo(0, within(0.5));
        assertThat(TestVideos.frameShown(atOneSecond, 1280, 720, FRAMES)).isCloseTo(25, within(1.0));
        assertThat(TestVideos.meanDifference(first, atOneSecond)).isGreaterThan(5);
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void seeksPreciselyInEveryFormat(Format format) throws IOException {
        BufferedImage image = thumbnail(hd(format), ThumbnailSpec.defaults().withOffset(Duration.ofMillis(1200)), "t.jpg");

        assertThat(TestVideos.frameShown(image, 1280, 720, FRAMES)).isCloseTo(30, within(1.0));
    }

    @Test
    void aLongOffsetStopsAtTheMiddleOfAShortVideo() throws IOException {
        Path twoSeconds = TestVideos.video(out, "two-seconds", Format.MKV_MPEG4, 320, 240, 50);

        BufferedImage image = thumbnail(twoSeconds, ThumbnailSpec.defaults().withOffset(Duration.ofSeconds(5)), "t.jpg");

        double seconds = TestVideos.frameShown(image, 320, 240, 50) / TestVideos.FPS;
        assertThat(seconds).isLessThanOrEqualTo(1.0 + 1.0 / TestVideos.FPS).isGreaterThan(0.8);
    }

    @Test
    void anOverstatedKnownDurationDoesNotMatter() throws IOException {
        Path twoSeconds = TestVideos.video(out, "two-seconds", Format.MKV_MPEG4, 320, 240, 50);
        ThumbnailSpec spec = ThumbnailSpec.defaults().withOffset(Duration.ofMinutes(30)).withKnownDuration(Duration.ofHours(2));

        BufferedImage image = thumbnail(twoSeconds, spec, "t.jpg");

        double seconds = TestVideos.frameShown(image, 320, 240, 50) / TestVideos.FPS;
        assertThat(seconds).isLessThanOrEqualTo(1.0 + 1.0 / TestVideos.FPS);
    }

    @Test
    void aShorterKnownDurationMovesTheFrameEarlier() throws IOException {
        ThumbnailSpec spec = ThumbnailSpec.defaults().withKnownDuration(Duration.ofMillis(800)); // middle: 0.4 s

        BufferedImage image = thumbnail(hd(Format.MKV_MPEG4), spec, "t.jpg");

        assertThat(TestVideos.frameShown(image, 1280, 720, FRAMES)).isCloseTo(10, within(1.0));
    }

    @Test
    void aSingleFrameVideoGivesItsOnlyFrame() throws IOException {
        Path one = TestVideos.video(out, "one", Format.MKV_MPEG4, 320, 240, 1);

        BufferedImage image = thumbnail(one, ThumbnailSpec.defaults(), "t.jpg");

        assertThat(image.getWidth()).isEqualTo(320);
    }

    @Test
    void aFileCutInHalfGivesAThumbnailFromWhatIsLeft() throws IOException {
        Path half = TestVideos.truncated(small(Format.MKV_MPEG4), out.resolve("half.mkv"), 0.5);

        BufferedImage atOneSecond = thumbnail(half, ThumbnailSpec.defaults(), "one.jpg");
        BufferedImage pastTheCut = thumbnail(half, ThumbnailSpec.defaults().withOffset(Duration.ofMillis(1450)), "past.jpg");

        assertThat(TestVideos.frameShown(atOneSecond, 320, 240, FRAMES)).isCloseTo(25, within(1.0));
        assertThat(pastTheCut.getWidth()).as("the seek fails, the first frame is taken").isEqualTo(320);
    }

    @Test
    void aTurnedVideoGivesAnUprightThumbnail() throws IOException {
        // Frame 0 has the square at the left edge; turned 90° counterclockwise, the left edge is the bottom.
        Path portrait = TestVideos.rotatedVideo(out, "portrait.mp4", 320, 240, 10, 90);

        BufferedImage image = thumbnail(portrait, ThumbnailSpec.defaults().withOffset(Duration.ZERO), "t.jpg");

        assertThat(image.getWidth()).isEqualTo(240);
        assertThat(image.getHeight()).isEqualTo(320);
        assertThat(TestVideos.squareMiddleHeight(image)).isGreaterThan(0.75);
    }

    // ---- what cannot be read

    static Stream<Arguments> badVideos() {
        return Stream.of(
                bad("missing.mkv", dir -> dir.resolve("missing.mkv"), "file not found: "),
                bad("empty.mkv", dir -> TestVideos.empty(dir, "empty.mkv"), "file is empty"),
                bad("notes.mkv", dir -> TestVideos.text(dir, "notes.mkv"),
                        "not a video file (FFmpeg could not open it: Invalid data found when processing input)"),
                bad("noise.mkv", dir -> TestVideos.randomBytes(dir, "noise.mkv"), "not a video file (FFmpeg could not open it: "),
                bad("cut.mkv", dir -> TestVideos.truncatedInFirstFrame(small(Format.MKV_MPEG4), dir.resolve("cut.mkv")),
                        "no frame could be decoded (truncated or corrupt)"),
                bad("tone.m4a", dir -> TestVideos.audioOnly(dir, "tone.m4a"), "has no video stream (audio only)"),
                bad("frameless.mkv", dir -> TestVideos.video(dir, "frameless", Format.MKV_MPEG4, 320, 240, 0),
                        "not a video file (FFmpeg could not open it: End of file)"));
    }

    private static Arguments bad(String name, Function<Path, Path> make, String problem) {
        return Arguments.of(name, make, problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badVideos")
    void aBadVideoThrowsAMediaExceptionNamingTheFile(String name, Function<Path, Path> make, String problem) {
        Path video = make.apply(out);
        Path target = out.resolve("thumb.jpg");

        assertThatThrownBy(() -> media.probe(video))
                .isInstanceOf(MediaException.class)
                .hasMessageStartingWith(name + ": " + problem)
                .satisfies(e -> assertThat(((MediaException) e).file()).isEqualTo(video));
        assertThatThrownBy(() -> media.thumbnail(video, target, ThumbnailSpec.defaults()))
                .isInstanceOf(MediaException.class)
                .hasMessageStartingWith(name + ": " + problem);
        assertThat(target).doesNotExist();
    }

    @Test
    void withoutFfmpegItSaysWhyNamingTheFile() {
        JavaCvMedia withoutNatives = new JavaCvMedia(new NativeMedia(() -> {
            throw new UnsatisfiedLinkError("/root/.javacpp/cache/ffmpeg-linux-x86_64.jar/org/bytedeco/ffmpeg/linux-x86_64/"
                    + "libjniavdevice.so: libpulse.so.0: cannot open shared object file: No such file or directory");
        }), 1);

        assertThatThrownBy(() -> withoutNatives.probe(small(Format.MKV_MPEG4)))
                .isInstanceOf(MediaException.class)
                .hasMessage("small-MKV_MPEG4.mkv: FFmpeg's native libraries could not load (libpulse.so.0 missing)");
    }

    @Test
    void whenJavaCvSwallowedTheLinkErrorTheMissingLibraryIsStillNamed() {
        // what a host sees when an FFmpegFrameRecorder loaded avdevice first and swallowed why it failed
        NativeMedia.Loader swallowed = () -> {
            throw new NoClassDefFoundError("Could not initialize class org.bytedeco.ffmpeg.global.avdevice");
        };
        assertThat(new NativeMedia(swallowed, library -> false).unavailableReason())
                .isEqualTo("FFmpeg's native libraries could not load (libpulse.so.0 missing)");
        assertThat(new NativeMedia(swallowed, library -> true).unavailableReason())
                .as("installed: not the reason").doesNotContain("libpulse");
    }

    private BufferedImage thumbnail(Path video, ThumbnailSpec spec, String name) throws IOException {
        Path target = out.resolve(name);
        media.thumbnail(video, target, spec);
        BufferedImage image = ImageIO.read(target.toFile());
        assertThat(image).as("a JPEG that ImageIO reads").isNotNull();
        return image;
    }
}
