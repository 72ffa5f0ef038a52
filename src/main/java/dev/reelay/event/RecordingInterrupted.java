package dev.reelay.event;

import java.time.Duration;
import java.time.Instant;

/**
 * A run stopped before its end, with no result: {@code close()} cut it off, or the subscriber of its
 * stream cancelled. Its journal entry stays unfinished, for {@code resume()}.
 *
 * @param duration how long it ran
 */
public record RecordingInterrupted(Instant at, long recordingId, Duration duration) implements RecordingEvent {
}
