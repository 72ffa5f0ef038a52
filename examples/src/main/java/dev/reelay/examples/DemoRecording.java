package dev.reelay.examples;

import dev.reelay.Recording;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * The recording an example hands to Reelay: the files of {@code REELAY_RECORDING_DIR}, or a
 * short one made on the spot in a temporary folder (deleted again by {@link #close()}):
 * a 3-second video made with JavaCV and a transcript.
 *
 * <pre>{@code
 * try (DemoRecording demo = DemoRecording.create(config, System.out)) {
 *     pipeline.submit(demo.recording()).block();
 * }
 * }</pre>
 */
final class DemoRecording implements AutoCloseable {

    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    static final int FPS = 25;
    static final Duration LENGTH = Duration.ofSeconds(3);
    /** Noise makes the video a few MB, so that its upload takes long enough to show progress. */
    private static final int VIDEO_BITRATE = 10_000_000;
    private static final int PLACEHOLDER_BYTES = 2 * 1024 * 1024;

    private final Recording recording;
    private final Path temporaryDir;
    private final String description;

    private DemoRecording(Recording recording, Path temporaryDir, String description) {
        this.recording = recording;
        this.temporaryDir = temporaryDir;
        this.description = description;
    }

    /** The recording of {@code REELAY_RECORDING_DIR}, or one made now; says on {@code out} what it skipped. */
    static DemoRecording create(QuickStartConfig config, PrintStream out) throws IOException {
        Recording.Builder builder = Recording.builder(config.recordingId())
                .title(config.recordingTitle())
                .createdAt(Instant.now())
                .user(config.userName(), config.userEmail());
        if (config.recordingDir().isPresent()) {
            Path dir = config.recordingDir().get();
            builder.video(dir.resolve("video.mkv"));
            String found = "video.mkv";
            if (Files.isRegularFile(dir.resolve("thumbnail.jpg"))) {
                builder.thumbnail(dir.resolve("thumbnail.jpg"));
                found += ", thumbnail.jpg";
            }
            if (Files.isRegularFile(dir.resolve("transcript.txt"))) {
                builder.transcript(dir.resolve("transcript.txt"));
                found += ", transcript.txt";
            }
            return new DemoRecording(builder.build(), null, found + " from " + dir);
        }

        Path dir = Files.createTempDirectory("reelay-quickstart-");
        try {
            Path video = dir.resolve("video.mkv");
            String videoKind;
            try {
                writeVideo(video);
                videoKind = LENGTH.toSeconds() + " s video made with JavaCV";
            } catch (LinkageError | FrameRecorder.Exception e) {
                writePlaceholder(video);
                out.println(skipped(e));
                videoKind = "placeholder video";
            }
            Path transcript = dir.resolve("transcript.txt");
            Files.writeString(transcript, transcript(config));
            Recording recording = builder
                    .declaredDuration(LENGTH)
                    .video(video)
                    .transcript(transcript)
                    .build();
            return new DemoRecording(recording, dir, videoKind + " and a transcript, in " + dir);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    Recording recording() {
        return recording;
    }

    /** What the recording holds, for the console. */
    String description() {
        return description;
    }

    /**
     * A 640x360 Matroska video with the MPEG-4 codec (FFmpeg's standard build has no H.264
     * encoder): moving stripes, a bouncing ball, and a band of noise that keeps the size up.
     */
    static void writeVideo(Path file) throws FrameRecorder.Exception {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR); // FFmpeg prints a format dump otherwise
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), WIDTH, HEIGHT, 0);
        try (Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder.setFormat("matroska");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(FPS);
            recorder.setVideoBitrate(VIDEO_BITRATE);
            recorder.start();
            BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
            Random noise = new Random(42);
            long frames = LENGTH.toSeconds() * FPS;
            for (int frame = 0; frame < frames; frame++) {
                paint(image, frame, noise);
                recorder.record(converter.convert(image));
            }
            recorder.stop();
        } finally {
            recorder.release();
        }
    }

    private static void paint(BufferedImage image, int frame, Random noise) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(20, 24, 38));
            g.fillRect(0, 0, WIDTH, HEIGHT);
            // Diagonal stripes sliding to the right, changing hue.
            g.setStroke(new BasicStroke(18));
            for (int x = -HEIGHT + (frame * 6) % 60; x < WIDTH; x += 60) {
                g.setColor(Color.getHSBColor(((x + frame * 4) % 360) / 360f, 0.6f, 0.9f));
                g.drawLine(x, HEIGHT, x + HEIGHT, 0);
            }
            // A ball bouncing between the walls.
            int size = 70;
            int bx = bounce(frame * 11, WIDTH - size);
            int by = bounce(frame * 7, HEIGHT - size);
            g.setColor(Color.WHITE);
            g.fillOval(bx, by, size, size);
        } finally {
            g.dispose();
        }
        // A band of noise along the bottom, written straight into the pixels.
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        int bandStart = (HEIGHT - HEIGHT / 3) * WIDTH * 3;
        byte[] band = new byte[pixels.length - bandStart];
        noise.nextBytes(band);
        System.arraycopy(band, 0, pixels, bandStart, band.length);
    }

    private static int bounce(int distance, int range) {
        int d = distance % (2 * range);
        return d < range ? d : 2 * range - d;
    }

    /** Stands in for the video when FFmpeg is not usable; the pipeline does not look inside it. */
    private static void writePlaceholder(Path file) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        Random random = new Random(7);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < PLACEHOLDER_BYTES; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    private static String transcript(QuickStartConfig config) {
        return "[00:00] " + config.userName() + ": Hello, and welcome to the Reelay QuickStart.\n"
                + "[00:01] " + config.userName() + ": This recording was made a moment ago, on this machine.\n"
                + "[00:02] " + config.userName() + ": Its files are on their way to S3, then a webhook tells the server.\n";
    }

    /**
     * One line saying what was skipped and how to get it. Without the system library
     * libpulse.so.0, FFmpeg's natives fail to load (UnsatisfiedLinkError: no jniavdevice),
     * either directly or wrapped by JavaCV in a FrameRecorder.Exception.
     */
    private static String skipped(Throwable e) {
        Throwable linkage = e;
        while (linkage != null && !(linkage instanceof LinkageError)) {
            linkage = linkage.getCause();
        }
        String instead = "; uploading a " + Printing.size(PLACEHOLDER_BYTES) + " placeholder as video.mkv instead.";
        if (linkage != null) {
            return "Skipped the JavaCV video (FFmpeg's natives did not load: " + firstLine(linkage) + ")" + instead
                    + " For the real video: apt-get install libpulse0";
        }
        return "Skipped the JavaCV video (FFmpeg could not encode it: " + firstLine(e) + ")" + instead;
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse("");
        int searchPath = message.indexOf(" in java.library.path");
        if (searchPath > 0) {
            message = message.substring(0, searchPath);
        }
        return message.length() > 120 ? message.substring(0, 120) + "…" : message;
    }

    /** Deletes the temporary folder, if this recording was made on the spot. */
    @Override
    public void close() {
        if (temporaryDir != null) {
            deleteRecursively(temporaryDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // A temporary folder left behind is not worth failing the example for.
        }
    }
}
