package dev.reelay.event;

import java.time.Instant;

/**
 * The recording's metadata document is stored beside its files (after the {@link UploadStored} of
 * it), ready to be delivered.
 *
 * @param fileName its name, {@code metadata.json} by default
 * @param bytes    its size
 */
public record MetadataStored(Instant at, long recordingId, String fileName, long bytes) implements RecordingEvent {
}
