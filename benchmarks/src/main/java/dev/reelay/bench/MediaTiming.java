package dev.reelay.bench;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import dev.reelay.media.MediaProbe;
import dev.reelay.media.ThumbnailSpec;
import dev.reelay.media.Thumbnailer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Workload 5: probing and thumbnailing a 1080p video (60 s unless {@code bench.mediaSeconds} says
 * otherwise) through Reelay's public media SPI ({@link MediaProbe#javaCv()},
 * {@link Thumbnailer#javaCv()}), beside a plain
 * {@link FFmpegFrameGrabber} that grabs the first frame. The video is made once with
 * FFmpegFrameRecorder and kept in the cache directory for later runs.
 */
final class MediaTiming {

    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    static final int FPS = 25;
    /** A keyframe every 10 s, as screen recorders write: seeking to 1 s decodes from the start. */
    static final int GOP = 250;
    static final int BITRATE = 4_000_000;
    /** The texture pans this many pixels per frame, so that frames differ and P-frames carry motion. */
    private static final int PAN = 6;
    private static final int TILE = 2048;

    private final Config config;
    private final Path dir;

    MediaTiming(Config config, Path dir) {
        this.config = config;
        this.dir = dir;
    }

    Section run() {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        int seconds = config.mediaSeconds();
        Path video = cachedVideo(config.cache(), seconds);
        MediaProbe probe = MediaProbe.javaCv();
        Thumbnailer thumbnailer = Thumbnailer.javaCv();
        List<Double> probeMs = new ArrayList<>();
        List<Double> thumbMs = new ArrayList<>();
        List<Double> bothMs = new ArrayList<>();
        List<Double> grabMs = new ArrayList<>();
        List<Double> byHandMs = new ArrayList<>();
        Duration[] duration = new Duration[1];
        String[] thumbnail = new String[1];
        String[] frame = new String[1];
        String[] byHand = new String[1];
        for (int rep = -1; rep < config.mediaReps(); rep++) { // rep -1 is the warm-up (natives loaded, caches warm)
            Path target = dir.resolve("thumbnail-" + (rep + 1) + ".jpg");
            double p = millis(() -> duration[0] = probe.probe(video));
            double t = millis(() -> {
                thumbnailer.thumbnail(video, target, ThumbnailSpec.defaults().withKnownDuration(duration[0]));
                return null;
            });
            double g = millis(() -> frame[0] = grabFirstFrame(video));
            Path handmade = dir.resolve("by-hand-" + (rep + 1) + ".jpg");
            double h = millis(() -> {
                thumbnailByHand(video, handmade);
                return null;
            });
            thumbnail[0] = describeJpeg(target);
            byHand[0] = describeJpeg(handmade);
            if (rep >= 0) {
                probeMs.add(p);
                thumbMs.add(t);
                bothMs.add(p + t);
                grabMs.add(g);
                byHandMs.add(h);
                Progress.say("5. media: rep %d/%d probe %.0f ms, thumbnail %.0f ms, plain grab %.0f ms, by hand %.0f ms",
                        rep + 1, config.mediaReps(), p, t, g, h);
            }
        }
        Markdown table = Markdown.table("operation", "median (ms)", "runs (ms)", "result")
                .row("Reelay `MediaProbe.javaCv().probe`", Stats.f1(Stats.median(probeMs)), join(probeMs),
                        duration[0].toMillis() / 1000.0 + " s")
                .row("Reelay `Thumbnailer.javaCv().thumbnail` (defaults: 1 s in, ≤ 640 px, JPEG 0.85)",
                        Stats.f1(Stats.median(thumbMs)), join(thumbMs), thumbnail[0])
                .row("Reelay probe + thumbnail (what the media step does per video)", Stats.f1(Stats.median(bothMs)),
                        join(bothMs), "")
                .row("baseline: `FFmpegFrameGrabber` start, grab the first frame, stop", Stats.f1(Stats.median(grabMs)),
                        join(grabMs), frame[0])
                .row("reference: the thumbnail's work by hand (`FFmpegFrameGrabber` scaling to 640×360, "
                                + "`setTimestamp(1 s)`, grab, `Java2DFrameConverter`, `ImageIO` JPEG)",
                        Stats.f1(Stats.median(byHandMs)), join(byHandMs), byHand[0]);
        double ratio = Stats.median(bothMs) / Stats.median(grabMs);
        return new Section("5. Media: probe and thumbnail of a 1080p, " + seconds + " s video")
                .text("The video: " + WIDTH + "×" + HEIGHT + ", " + FPS + " fps, " + seconds + " s, mpeg4 in Matroska at "
                        + BITRATE / 1_000_000 + " Mbit/s, a keyframe every " + GOP + " frames, a panning texture with a "
                        + "moving square (" + Stats.mib(Recordings.size(video)) + " MiB, made once and kept in `"
                        + config.cache().getFileName() + "/`). " + config.mediaReps() + " runs after a warm-up, "
                        + "each operation in turn, single-threaded calls. The first-frame grab decodes one keyframe; "
                        + "a thumbnail 1 s in decodes the 25 frames from the keyframe at 0 s to 1 s, so the last row "
                        + "does the thumbnail's work without Reelay to tell its own cost apart.")
                .table(table)
                .text("Reelay probe + thumbnail / plain first-frame grab: " + Stats.f2(ratio) + "×.");
    }

    private static double millis(Supplier<?> work) {
        long t0 = System.nanoTime();
        work.get();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static String join(List<Double> values) {
        return values.stream().map(Stats::f0).collect(Collectors.joining(", "));
    }

    private static String grabFirstFrame(Path video) {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.start();
            Frame f = grabber.grabImage();
            String size = f.imageWidth + "×" + f.imageHeight + " frame";
            grabber.stop();
            return size;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code Thumbnailer.javaCv()} does, written plainly: seek, grab one frame scaled by FFmpeg, write a JPEG. */
    private static void thumbnailByHand(Path video, Path target) {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            grabber.setImageWidth(640);
            grabber.setImageHeight(360);
            grabber.start();
            grabber.setTimestamp(1_000_000L);
            BufferedImage image = converter.convert(grabber.grabImage());
            ImageIO.write(image, "jpg", target.toFile());
            grabber.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describeJpeg(Path jpeg) {
        try {
            BufferedImage image = ImageIO.read(jpeg.toFile());
            return image.getWidth() + "×" + image.getHeight() + " JPEG, " + Files.size(jpeg) / 1024 + " KiB";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test video, made when the cache has none; written aside and moved in, so a half-made one is never used. */
    static Path cachedVideo(Path cache, int seconds) {
        Path video = cache.resolve("video-" + HEIGHT + "p-" + seconds + "s-" + FPS + "fps-mpeg4-gop" + GOP + ".mkv");
        if (Files.isRegularFile(video)) {
            Progress.say("5. media: using the cached %s", video);
            return video;
        }
        try {
            Files.createDirectories(cache);
            Path part = cache.resolve(video.getFileName() + ".part");
            Progress.say("5. media: making %s (once; later runs reuse it)", video);
            long t0 = System.nanoTime();
            record(part, seconds);
            Files.move(part, video, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Progress.say("5. media: made it in %.1f s (%s MiB)", (System.nanoTime() - t0) / 1e9,
                    Stats.mib(Files.size(video)));
            return video;
        } catch (IOException e) {
            throw new UncheckedIOException("could not make the test video in " + cache, e);
        }
    }

    private static void record(Path file, int seconds) throws IOException {
        byte[] tile = texture();
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), WIDTH, HEIGHT, 0)) {
            recorder.setFormat("matroska");
            recorder.setVideoCodec(AV_CODEC_ID_MPEG4);
            recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(FPS);
            recorder.setGopSize(GOP);
            recorder.setVideoBitrate(BITRATE);
            recorder.start();
            Frame frame = new Frame(WIDTH, HEIGHT, Frame.DEPTH_UBYTE, 3);
            ByteBuffer pixels = (ByteBuffer) frame.image[0];
            int stride = frame.imageStride;
            int frames = FPS * seconds;
            int side = HEIGHT / 4;
            int top = (HEIGHT - side) / 2;
            byte[] row = new byte[WIDTH * 3];
            for (int i = 0; i < frames; i++) {
                int dx = (i * PAN) % TILE;
                int left = (int) ((long) i * (WIDTH - side) / (frames - 1));
                for (int y = 0; y < HEIGHT; y++) {
                    int base = y * TILE * 3;
                    int first = Math.min(WIDTH, TILE - dx);
                    System.arraycopy(tile, base + dx * 3, row, 0, first * 3);
                    if (first < WIDTH) {
                        System.arraycopy(tile, base, row, first * 3, (WIDTH - first) * 3);
                    }
                    if (y >= top && y < top + side) {
                        java.util.Arrays.fill(row, left * 3, (left + side) * 3, (byte) 235);
                    }
                    pixels.put(y * stride, row);
                }
                recorder.record(frame, AV_PIX_FMT_BGR24);
            }
            recorder.stop();
        }
    }

    /** A colourful texture that tiles horizontally: waves and a little deterministic grain. */
    private static byte[] texture() {
        byte[] tile = new byte[TILE * HEIGHT * 3];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < TILE; x++) {
                double a = 2 * Math.PI * x / TILE;
                int grain = (int) ((x * 73_856_093L ^ y * 19_349_663L) & 15) - 8;
                int i = (y * TILE + x) * 3;
                tile[i] = (byte) clamp(110 + 60 * Math.sin(8 * a) * Math.cos(y / 37.0) + grain);
                tile[i + 1] = (byte) clamp(110 + 60 * Math.sin(5 * a + y / 53.0) + grain);
                tile[i + 2] = (byte) clamp(110 + 60 * Math.cos(3 * a - y / 71.0) + grain);
            }
        }
        return tile;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, v));
    }
}
