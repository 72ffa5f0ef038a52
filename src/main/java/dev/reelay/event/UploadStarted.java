package dev.reelay.event;

import dev.reelay.FileRole;
import java.time.Instant;

/**
 * A file's upload got its slot (one of {@code uploadsInFlight}) and starts. metadata.json is a file
 * too, with the role {@link FileRole#METADATA}.
 *
 * @param fileName the stored name, e.g. {@code video.mkv}
 * @param bytes    the file's size
 */
public record UploadStarted(Instant at, long recordingId, FileRole role, String fileName, long bytes)
        implements RecordingEvent {
}
