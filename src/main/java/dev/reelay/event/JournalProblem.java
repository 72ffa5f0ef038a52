package dev.reelay.event;

import java.time.Instant;

/**
 * The journal refused or failed a write. The work went on (a later run redoes what was not
 * recorded), except for an accept: that recording ended {@code NOT_ACCEPTED}.
 *
 * @param recordingId the recording the write was about
 * @param what        what was to be written, e.g. {@code video.mkv} or {@code its end}
 * @param message     what the journal said
 */
public record JournalProblem(Instant at, long recordingId, String what, String message) implements RecordingEvent {
}
