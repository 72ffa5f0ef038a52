package dev.reelay.media;

import java.time.Duration;

/**
 * How a {@link Thumbnailer} cuts its still: where in the video, how wide at most, and how
 * well compressed. Values are checked when the spec is made.
 *
 * <pre>{@code
 * ThumbnailSpec spec = ThumbnailSpec.defaults()          // 1 s in, at most 640 px wide, quality 0.85
 *         .withOffset(Duration.ofSeconds(5))
 *         .withMaxWidth(320);
 * thumbnailer.thumbnail(Path.of("rec-3/video.mkv"), Path.of("/tmp/rec-3.jpg"), spec);
 * }</pre>
 *
 * @param offset        where to take the frame, at most half way through the video (see
 *                      {@link #offsetWithin}); zero or positive
 * @param maxWidth      the widest the image may be, in pixels, {@value #MIN_WIDTH} to
 *                      {@value #MAX_WIDTH}; a narrower video is never upscaled
 * @param jpegQuality   the JPEG quality, above 0 and at most 1
 * @param knownDuration the video's probed duration, or null when unknown; it keeps the
 *                      thumbnailer from seeking past the middle of a short video
 */
public record ThumbnailSpec(Duration offset, int maxWidth, float jpegQuality, Duration knownDuration) {

    /** 1 second. */
    public static final Duration DEFAULT_OFFSET = Duration.ofSeconds(1);
    /** 640 pixels. */
    public static final int DEFAULT_MAX_WIDTH = 640;
    /** 0.85. */
    public static final float DEFAULT_JPEG_QUALITY = 0.85f;
    /** The narrowest {@link #maxWidth()} allowed. */
    public static final int MIN_WIDTH = 16;
    /** The widest {@link #maxWidth()} allowed (8K). */
    public static final int MAX_WIDTH = 7680;

    public ThumbnailSpec {
        checkOffset(offset, "offset");
        checkMaxWidth(maxWidth, "maxWidth");
        checkJpegQuality(jpegQuality, "jpegQuality");
        if (knownDuration != null && knownDuration.isNegative()) {
            throw new IllegalArgumentException("knownDuration must be zero or positive when set, was " + knownDuration);
        }
    }

    /** 1 s in, at most 640 px wide, JPEG quality 0.85, duration unknown. */
    public static ThumbnailSpec defaults() {
        return new ThumbnailSpec(DEFAULT_OFFSET, DEFAULT_MAX_WIDTH, DEFAULT_JPEG_QUALITY, null);
    }

    public ThumbnailSpec withOffset(Duration offset) {
        return new ThumbnailSpec(offset, maxWidth, jpegQuality, knownDuration);
    }

    public ThumbnailSpec withMaxWidth(int maxWidth) {
        return new ThumbnailSpec(offset, maxWidth, jpegQuality, knownDuration);
    }

    public ThumbnailSpec withJpegQuality(float jpegQuality) {
        return new ThumbnailSpec(offset, maxWidth, jpegQuality, knownDuration);
    }

    /** This spec for a video known to last {@code duration}; null when unknown. */
    public ThumbnailSpec withKnownDuration(Duration duration) {
        return new ThumbnailSpec(offset, maxWidth, jpegQuality, duration);
    }

    /**
     * Where to take the frame in a video that lasts {@code duration}: the offset, but never past
     * the middle, so a 2-second video is cut at 1 s and a 0-length one at 0. With a null
     * duration, the offset itself.
     */
    public Duration offsetWithin(Duration duration) {
        if (duration == null || duration.isNegative()) {
            return offset;
        }
        Duration middle = duration.dividedBy(2);
        return offset.compareTo(middle) <= 0 ? offset : middle;
    }

    static Duration checkOffset(Duration offset, String name) {
        if (offset == null || offset.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, was " + offset);
        }
        return offset;
    }

    static int checkMaxWidth(int width, String name) {
        if (width < MIN_WIDTH || width > MAX_WIDTH) {
            throw new IllegalArgumentException(
                    name + " must be between " + MIN_WIDTH + " and " + MAX_WIDTH + " pixels, was " + width);
        }
        return width;
    }

    static float checkJpegQuality(float quality, String name) {
        if (!(quality > 0f && quality <= 1f)) {
            throw new IllegalArgumentException(name + " must be above 0 and at most 1, was " + quality);
        }
        return quality;
    }

    @Override
    public String toString() {
        return "ThumbnailSpec{offset=" + offset + ", maxWidth=" + maxWidth + ", jpegQuality=" + jpegQuality
                + (knownDuration != null ? ", knownDuration=" + knownDuration : "") + "}";
    }
}
