package dev.reelay.event;

import java.time.Instant;

/**
 * A run starts on a recording the journal held unfinished: by {@code resume()}, {@code retry(id)},
 * {@code retryDue()}, or a resubmission of the same files. It does only what is left.
 *
 * @param attempt which run of the recording this is (2 for the first retry)
 */
public record RecordingResumed(Instant at, long recordingId, int attempt) implements RecordingEvent {
}
