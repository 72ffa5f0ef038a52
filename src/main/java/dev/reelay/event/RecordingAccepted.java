package dev.reelay.event;

import java.time.Instant;

/**
 * A recording was journaled and its run starts: a new recording, or a new version of one (its
 * files changed).
 *
 * @param files the number of files it brought
 */
public record RecordingAccepted(Instant at, long recordingId, int files) implements RecordingEvent {
}
