package dev.reelay.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_VP8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;

import dev.reelay.internal.media.NativeMedia;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Media the tests make for themselves with FFmpegFrameRecorder: no binary media in git.
 *
 * <p>Every video shows a bright square that moves from the left edge to the right edge over
 * the video's frames, on a dark horizontal gradient, so {@link #frameShown} can tell from a
 * thumbnail which frame it was cut from.
 */
public final class TestVideos {

    static final int FPS = 25;

    /** Containers and encoders of the bundled FFmpeg that the tests use. */
    enum Format {
        MKV_MPEG4("mkv", "matroska", AV_CODEC_ID_MPEG4, null, AV_PIX_FMT_YUV420P),
        WEBM_VP8("webm", "webm", AV_CODEC_ID_VP8, "libvpx", AV_PIX_FMT_YUV420P),
        MP4_OPENH264("mp4", "mp4", AV_CODEC_ID_H264, "libopenh264", AV_PIX_FMT_YUV420P),
        AVI_MJPEG("avi", "avi", AV_CODEC_ID_MJPEG, null, AV_PIX_FMT_YUVJ420P);

        final String extension;
        final String container;
        final int codec;
        final String encoder;
        final int pixelFormat;

        Format(String extension, String container, int codec, String encoder, int pixelFormat) {
            this.extension = extension;
            this.container = container;
            this.codec = codec;
            this.encoder = encoder;
            this.pixelFormat = pixelFormat;
        }
    }

    static {
        // Loads FFmpeg the way Reelay does, which also sends its console output to SLF4J.
        if (!NativeMedia.shared().available()) {
            throw new IllegalStateException("the tests need FFmpeg: " + NativeMedia.shared().unavailableReason());
        }
    }

    private TestVideos() {
    }

    /** A small real video (mkv, MPEG-4, 320×240, 2 s) for tests outside this package: FFmpeg decodes it and cuts a thumbnail. */
    public static Path smallVideo(Path dir, String baseName) {
        return video(dir, baseName, Format.MKV_MPEG4, 320, 240, 50);
    }

    /** A video of {@code frames} frames at 25 fps: 75 frames last 3 s. */
    static Path video(Path dir, String baseName, Format format, int width, int height, int frames) {
        Path file = dir.resolve(baseName + "." + format.extension);
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0)) {
            configure(recorder, format);
            record(recorder, width, height, frames);
        } catch (IOException e) {
            throw new UncheckedIOException("could not make " + file, e);
        }
        return file;
    }

    /**
     * An mkv written as a stream, the way a live recorder writes it: the muxer cannot seek back
     * to the header, so the file declares no duration and has no index.
     */
    static Path liveVideo(Path dir, String name, int width, int height, int frames) {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file);
             FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, width, height, 0)) {
            configure(recorder, Format.MKV_MPEG4);
            record(recorder, width, height, frames);
        } catch (IOException e) {
            throw new UncheckedIOException("could not make " + file, e);
        }
        return file;
    }

    /** An mp4 whose display matrix turns it {@code degrees} counterclockwise, as phones write portrait videos. */
    static Path rotatedVideo(Path dir, String name, int width, int height, int frames, double degrees) {
        Path file = dir.resolve(name);
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0)) {
            recorder.setFormat("mp4");
            recorder.setVideoCodec(AV_CODEC_ID_MPEG4);
            recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(FPS);
            recorder.setDisplayRotation(degrees); // JavaCV stores it so that FFmpeg reads back +degrees
            record(recorder, width, height, frames);
        } catch (IOException e) {
            throw new UncheckedIOException("could not make " + file, e);
        }
        return file;
    }

    /** One second of a 440 Hz tone in AAC, in an .m4a: no video stream. */
    static Path audioOnly(Path dir, String name) {
        Path file = dir.resolve(name);
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), 1)) {
            recorder.setFormat("ipod");
            recorder.setAudioCodec(AV_CODEC_ID_AAC);
            recorder.setSampleRate(48_000);
            recorder.start();
            short[] tone = new short[48_000];
            for (int i = 0; i < tone.length; i++) {
                tone[i] = (short) (Math.sin(2 * Math.PI * 440 * i / 48_000.0) * 8_000);
            }
            recorder.recordSamples(48_000, 1, ShortBuffer.wrap(tone));
            recorder.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("could not make " + file, e);
        }
        return file;
    }

    /** The first {@code fraction} of {@code source}'s bytes. */
    static Path truncated(Path source, Path target, double fraction) {
        try {
            byte[] all = Files.readAllBytes(source);
            return Files.write(target, Arrays.copyOf(all, (int) (all.length * fraction)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code source} cut in the middle of its first frame: the header is whole (FFmpeg opens the
     * file and reads its declared duration) but not one frame can be decoded. As a fraction of
     * the file, a few per cent.
     */
    static Path truncatedInFirstFrame(Path source, Path target) {
        long cut;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toString())) {
            grabber.start();
            AVPacket first = grabber.grabPacket();
            cut = first.pos() + first.size() / 2;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return truncated(source, target, (double) cut / Files.size(source));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path empty(Path dir, String name) {
        return write(dir.resolve(name), new byte[0]);
    }

    static Path text(Path dir, String name) {
        return write(dir.resolve(name), "Meeting notes, not a video.\n".repeat(200).getBytes());
    }

    static Path randomBytes(Path dir, String name) {
        byte[] noise = new byte[64 * 1024];
        new Random(42).nextBytes(noise);
        return write(dir.resolve(name), noise);
    }

    /**
     * Which frame of a {@code frames}-frame video of {@code width}×{@code height} the image shows,
     * from where the bright square is: a fraction of a frame off at most, whatever the scaling.
     */
    static double frameShown(BufferedImage image, int width, int height, int frames) {
        double centre = squareCentre(image);
        int side = height / 4;
        double left = centre * width - side / 2.0;
        return left * (frames - 1) / (width - side);
    }

    /** The bright square's horizontal centre, as a fraction of the image's width. */
    static double squareCentre(BufferedImage image) {
        int y0 = image.getHeight() / 2 - image.getHeight() / 20;
        int y1 = image.getHeight() / 2 + image.getHeight() / 20;
        double sum = 0;
        int count = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (luma(image.getRGB(x, y)) > 160) {
                    sum += x + 0.5;
                    count++;
                }
            }
        }
        if (count == 0) {
            throw new AssertionError("no bright square in the image");
        }
        return sum / count / image.getWidth();
    }

    /** The bright square's vertical centre, as a fraction of the image's height (for turned videos). */
    static double squareMiddleHeight(BufferedImage image) {
        double sum = 0;
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (luma(image.getRGB(x, y)) > 160) {
                    sum += y + 0.5;
                    count++;
                }
            }
        }
        if (count == 0) {
            throw new AssertionError("no bright square in the image");
        }
        return sum / count / image.getHeight();
    }

    /** The mean absolute difference of two images' luma, 0 to 255. */
    static double meanDifference(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new IllegalArgumentException("different sizes");
        }
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                sum += Math.abs(luma(a.getRGB(x, y)) - luma(b.getRGB(x, y)));
            }
        }
        return (double) sum / (a.getWidth() * a.getHeight());
    }

    private static int luma(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return (r * 299 + g * 587 + b * 114) / 1000;
    }

    private static void configure(FFmpegFrameRecorder recorder, Format format) {
        recorder.setFormat(format.container);
        if (format.encoder != null) {
            recorder.setVideoCodecName(format.encoder);
        }
        recorder.setVideoCodec(format.codec);
        recorder.setPixelFormat(format.pixelFormat);
        recorder.setFrameRate(FPS);
    }

    private static void record(FFmpegFrameRecorder recorder, int width, int height, int frames)
            throws FFmpegFrameRecorder.Exception {
        recorder.start();
        Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
        byte[] background = new byte[width * 3];
        for (int x = 0; x < width; x++) {
            Arrays.fill(background, x * 3, x * 3 + 3, (byte) (20 + x * 50 / width));
        }
        int side = height / 4;
        int top = (height - side) / 2;
        byte[] band = new byte[width * 3];
        for (int i = 0; i < frames; i++) {
            int left = frames > 1 ? (int) ((long) i * (width - side) / (frames - 1)) : 0;
            System.arraycopy(background, 0, band, 0, band.length);
            Arrays.fill(band, left * 3, (left + side) * 3, (byte) 235);
            ByteBuffer pixels = (ByteBuffer) frame.image[0];
            for (int y = 0; y < height; y++) {
                pixels.put(y * frame.imageStride, y >= top && y < top + side ? band : background);
            }
            recorder.record(frame, AV_PIX_FMT_BGR24);
        }
        recorder.stop();
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
