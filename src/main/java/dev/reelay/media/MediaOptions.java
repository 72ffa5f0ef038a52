package dev.reelay.media;

import dev.reelay.internal.Checks;
import dev.reelay.internal.media.JavaCvMedia;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Immutable settings of the media step: probing each video's duration and cutting a
 * thumbnail when the recording brings none. Values are checked when built.
 *
 * <pre>{@code
 * MediaOptions media = MediaOptions.builder()
 *         .thumbnailOffset(Duration.ofSeconds(5))
 *         .thumbnailMaxWidth(480)
 *         .workDirectory(Path.of("/var/tmp/reelay"))
 *         .decodersInFlight(2)
 *         .build();
 * }</pre>
 *
 * <p>By default both the probe and the thumbnailer are FFmpeg through JavaCV, which needs the
 * system library {@code libpulse.so.0} on Linux (Debian/Ubuntu: {@code apt-get install libpulse0}).
 * When FFmpeg's native libraries cannot load, Reelay logs one warning and carries on without
 * thumbnails and probed durations; {@link #disabled()} turns the step off altogether. FFmpeg is
 * loaded on the first video, not before; loading it sets FFmpeg's log level, for the whole JVM,
 * to errors only and sends them to SLF4J at debug ({@code dev.reelay.media.ffmpeg}) instead
 * of stderr.
 */
public final class MediaOptions {

    private final boolean enabled;
    private final MediaProbe probe;
    private final Thumbnailer thumbnailer;
    private final Duration thumbnailOffset;
    private final int thumbnailMaxWidth;
    private final float jpegQuality;
    private final String thumbnailName;
    private final Path workDirectory;
    private final int decodersInFlight;
    private final Duration timeout;
    private final boolean defaultProbe;
    private final boolean defaultThumbnailer;

    private MediaOptions(Builder b) {
        this.enabled = b.enabled;
        this.thumbnailOffset = ThumbnailSpec.checkOffset(b.thumbnailOffset, "thumbnailOffset");
        this.thumbnailMaxWidth = ThumbnailSpec.checkMaxWidth(b.thumbnailMaxWidth, "thumbnailMaxWidth");
        this.jpegQuality = ThumbnailSpec.checkJpegQuality(b.jpegQuality, "jpegQuality");
        this.thumbnailName = checkThumbnailName(b.thumbnailName);
        this.workDirectory = Objects.requireNonNull(b.workDirectory, "workDirectory must be set");
        this.decodersInFlight = (int) Checks.positive(b.decodersInFlight, "decodersInFlight");
        this.timeout = Checks.positive(b.timeout, "timeout");
        JavaCvMedia javaCv = b.probe == null || b.thumbnailer == null ? JavaCvMedia.forDecoders(decodersInFlight) : null;
        this.probe = b.probe != null ? b.probe : javaCv;
        this.thumbnailer = b.thumbnailer != null ? b.thumbnailer : javaCv;
        this.defaultProbe = b.probe == null;
        this.defaultThumbnailer = b.thumbnailer == null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Probing and thumbnails with FFmpeg, with the default values below. */
    public static MediaOptions defaults() {
        return builder().build();
    }

    /** No probing, no thumbnails: FFmpeg is never loaded. */
    public static MediaOptions disabled() {
        return builder().enabled(false).build();
    }

    /** Whether videos are probed and thumbnails made. Default true. */
    public boolean enabled() {
        return enabled;
    }

    /** Finds each video's duration. Default FFmpeg through JavaCV. */
    public MediaProbe probe() {
        return probe;
    }

    /** Cuts a thumbnail when the recording has none. Default FFmpeg through JavaCV. */
    public Thumbnailer thumbnailer() {
        return thumbnailer;
    }

    /** Where in the video the thumbnail is taken, at most half way through. Default 1 s. */
    public Duration thumbnailOffset() {
        return thumbnailOffset;
    }

    /** The widest a thumbnail may be, in pixels; a narrower video is not upscaled. Default 640. */
    public int thumbnailMaxWidth() {
        return thumbnailMaxWidth;
    }

    /** The thumbnail's JPEG quality, in (0, 1]. Default 0.85. */
    public float jpegQuality() {
        return jpegQuality;
    }

    /** The name a made thumbnail is stored under. Default {@code thumbnail.jpg}. */
    public String thumbnailName() {
        return thumbnailName;
    }

    /**
     * Where made thumbnails wait for their upload. Default {@code ${java.io.tmpdir}/reelay-media}.
     * Several pipelines and processes may share it: each keeps its files in a folder of its own,
     * {@code run-<id>/}, locked while it lives, and folders left by runs that died (a crash, a
     * {@code kill -9}) are removed when a pipeline starts making thumbnails and on {@code resume()}.
     */
    public Path workDirectory() {
        return workDirectory;
    }

    /** Videos decoded at once, across all recordings. Default the number of processors. */
    public int decodersInFlight() {
        return decodersInFlight;
    }

    /**
     * How long the media work on one video (probing and the thumbnail) may take once a decoder
     * runs it. Default 60 seconds. A video that takes longer (a hung network mount, say) ends
     * with a warning, like any video that cannot be read, and its files are uploaded all the
     * same. FFmpeg cannot be stopped mid-frame: its thread is left to finish on its own and is
     * freed when it returns; at most {@link #decodersInFlight()} such threads are left at once,
     * and while that many are, videos are not decoded (a warning says so).
     */
    public Duration timeout() {
        return timeout;
    }

    /** The thumbnail settings as a spec, with the video's duration unknown. */
    public ThumbnailSpec thumbnailSpec() {
        return new ThumbnailSpec(thumbnailOffset, thumbnailMaxWidth, jpegQuality, null);
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.enabled = enabled;
        b.probe = defaultProbe ? null : probe;
        b.thumbnailer = defaultThumbnailer ? null : thumbnailer;
        b.thumbnailOffset = thumbnailOffset;
        b.thumbnailMaxWidth = thumbnailMaxWidth;
        b.jpegQuality = jpegQuality;
        b.thumbnailName = thumbnailName;
        b.workDirectory = workDirectory;
        b.decodersInFlight = decodersInFlight;
        b.timeout = timeout;
        return b;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "MediaOptions{enabled=false}";
        }
        return "MediaOptions{probe=" + probe + ", thumbnailer=" + thumbnailer + ", thumbnailOffset=" + thumbnailOffset
                + ", thumbnailMaxWidth=" + thumbnailMaxWidth + ", jpegQuality=" + jpegQuality + ", thumbnailName="
                + thumbnailName + ", workDirectory=" + workDirectory + ", decodersInFlight=" + decodersInFlight
                + ", timeout=" + timeout + "}";
    }

    private static String checkThumbnailName(String name) {
        Checks.notBlank(name, "thumbnailName");
        if (name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("thumbnailName must be a plain file name, was " + name);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".jpg") && !lower.endsWith(".jpeg")) {
            throw new IllegalArgumentException("thumbnailName must end with .jpg or .jpeg (thumbnails are JPEGs), was "
                    + name);
        }
        return name;
    }

    /** Collects the settings; {@link #build()} checks them. */
    public static final class Builder {
        private boolean enabled = true;
        private MediaProbe probe;
        private Thumbnailer thumbnailer;
        private Duration thumbnailOffset = ThumbnailSpec.DEFAULT_OFFSET;
        private int thumbnailMaxWidth = ThumbnailSpec.DEFAULT_MAX_WIDTH;
        private float jpegQuality = ThumbnailSpec.DEFAULT_JPEG_QUALITY;
        private String thumbnailName = "thumbnail.jpg";
        private Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"), "reelay-media");
        private long decodersInFlight = Runtime.getRuntime().availableProcessors();
        private Duration timeout = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** The host's probe; null restores the default (FFmpeg). */
        public Builder probe(MediaProbe probe) {
            this.probe = probe;
            return this;
        }

        /** The host's thumbnailer; null restores the default (FFmpeg). */
        public Builder thumbnailer(Thumbnailer thumbnailer) {
            this.thumbnailer = thumbnailer;
            return this;
        }

        public Builder thumbnailOffset(Duration offset) {
            this.thumbnailOffset = offset;
            return this;
        }

        /** 16 to 7680 pixels. */
        public Builder thumbnailMaxWidth(int width) {
            this.thumbnailMaxWidth = width;
            return this;
        }

        /** Above 0 and at most 1. */
        public Builder jpegQuality(float quality) {
            this.jpegQuality = quality;
            return this;
        }

        /** A plain file name ending in {@code .jpg} or {@code .jpeg}. */
        public Builder thumbnailName(String name) {
            this.thumbnailName = name;
            return this;
        }

        /** Created when first needed. */
        public Builder workDirectory(Path directory) {
            this.workDirectory = directory;
            return this;
        }

        public Builder decodersInFlight(int n) {
            this.decodersInFlight = n;
            return this;
        }

        /** How long the media work on one video may take; see {@link MediaOptions#timeout()}. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public MediaOptions build() {
            return new MediaOptions(this);
        }
    }
}
