package dev.reelay.event;

import dev.reelay.FileRole;
import java.time.Duration;
import java.time.Instant;

/**
 * A file is in the store.
 *
 * @param bytes    its size
 * @param attempts the attempts its request took (for a file in parts: its part that needed the most)
 * @param duration from its upload slot to the store's answer
 */
public record UploadStored(Instant at, long recordingId, FileRole role, String fileName, long bytes, int attempts,
                           Duration duration) implements RecordingEvent {
}
