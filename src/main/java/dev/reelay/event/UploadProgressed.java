package dev.reelay.event;

import dev.reelay.FileRole;
import java.time.Instant;

/**
 * How far a file's upload has got, at most every 100 ms per file, and once more when the last
 * byte is out. {@code bytesSent} only grows and never passes {@code totalBytes}; a retry does not
 * move it back.
 *
 * @param bytesSent  bytes handed to the network so far
 * @param totalBytes the file's size
 */
public record UploadProgressed(Instant at, long recordingId, FileRole role, String fileName, long bytesSent,
                               long totalBytes) implements RecordingEvent {
}
