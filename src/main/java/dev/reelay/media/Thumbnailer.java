package dev.reelay.media;

import dev.reelay.internal.media.JavaCvMedia;
import java.nio.file.Path;

/**
 * Cuts a still image from a video and writes it as a JPEG. The default, {@link #javaCv()},
 * decodes one frame with FFmpeg through JavaCV; a host may pass its own in
 * {@link MediaOptions.Builder#thumbnailer}, or wrap the default:
 *
 * <pre>{@code
 * Thumbnailer ffmpeg = Thumbnailer.javaCv();
 * Thumbnailer timed = (video, target, spec) -> {
 *     long start = System.nanoTime();
 *     ffmpeg.thumbnail(video, target, spec);
 *     metrics.record(System.nanoTime() - start);
 * };
 * MediaOptions media = MediaOptions.builder().thumbnailer(timed).build();
 * }</pre>
 *
 * <p>An implementation may block: Reelay calls it only on its own bounded media scheduler
 * (threads named {@code reelay-media-*}), never on an event loop. Reelay deletes
 * {@code target} when the thumbnailer throws, so a half-written file never gets uploaded.
 */
@FunctionalInterface
public interface Thumbnailer {

    /**
     * FFmpeg through JavaCV: seeks to the offset, decodes one frame scaled by FFmpeg to the
     * maximum width (upright when the video carries a rotation), and writes it with ImageIO.
     * When the seek finds nothing (a truncated file) it takes the first frame there is.
     */
    static Thumbnailer javaCv() {
        return JavaCvMedia.forDecoders(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Writes a JPEG of one frame of {@code video} to {@code target}, replacing what is there.
     * The frame is taken at {@link ThumbnailSpec#offsetWithin spec.offsetWithin(duration)}, the
     * image is at most {@link ThumbnailSpec#maxWidth()} wide and keeps the video's aspect ratio.
     *
     * @throws MediaException when no frame can be taken or the JPEG cannot be written; the
     *                        message names the video
     */
    void thumbnail(Path video, Path target, ThumbnailSpec spec);
}
