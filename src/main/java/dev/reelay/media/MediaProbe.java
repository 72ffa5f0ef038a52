package dev.reelay.media;

import dev.reelay.internal.media.JavaCvMedia;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Finds how long a video plays. The default, {@link #javaCv()}, reads it with FFmpeg through
 * JavaCV; a host may pass its own in {@link MediaOptions.Builder#probe}, for example one that
 * asks its own database:
 *
 * <pre>{@code
 * MediaProbe fromDatabase = video -> Duration.ofSeconds(db.durationOf(video.getFileName().toString()));
 * MediaOptions media = MediaOptions.builder().probe(fromDatabase).build();
 * }</pre>
 *
 * <p>An implementation may block: Reelay calls it only on its own bounded media scheduler
 * (threads named {@code reelay-media-*}), never on an event loop.
 */
@FunctionalInterface
public interface MediaProbe {

    /**
     * FFmpeg through JavaCV: the duration the container declares, else the span of the video's
     * frames (a file written live declares none). It also checks that a file cut after its
     * header has at least one frame.
     */
    static MediaProbe javaCv() {
        return JavaCvMedia.forDecoders(Runtime.getRuntime().availableProcessors());
    }

    /**
     * The video's duration.
     *
     * @throws MediaException when the file is missing, empty, not a video, has no video
     *                        stream or cannot be decoded; the message names the file
     */
    Duration probe(Path video);
}
