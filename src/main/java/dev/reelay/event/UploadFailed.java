package dev.reelay.event;

import dev.reelay.FileRole;
import java.time.Duration;
import java.time.Instant;

/**
 * A file could not be stored. A local file that cannot be sent (missing, empty, unreadable,
 * refused) fails without an {@link UploadStarted}, with no attempt and a zero duration.
 *
 * @param bytes    its size (0 when it could not be read)
 * @param attempts the attempts made
 * @param duration from its upload slot to the failure
 * @param error    why, naming the recording and the file
 */
public record UploadFailed(Instant at, long recordingId, FileRole role, String fileName, long bytes, int attempts,
                           Duration duration, String error) implements RecordingEvent {
}
