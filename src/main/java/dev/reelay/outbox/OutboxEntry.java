package dev.reelay.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the outbox knows of one accepted recording: the recording itself, what was already
 * done for it, and where it stands.
 *
 * @param recording     the recording as accepted
 * @param state         where it stands
 * @param reason        why it is not done, when it is not
 * @param attempts      how many times it was run (the first run included)
 * @param acceptedAt    when it was first accepted
 * @param updatedAt     when the outbox last heard of it
 * @param nextAttemptAt when the slow schedule retries it next, or null
 * @param files         the files already stored
 * @param metadata      the metadata document already stored, or null
 * @param metadataFile  the stored metadata.json, or null
 * @param deliveries    each endpoint's last delivery
 */
public record OutboxEntry(Recording recording, State state, String reason, int attempts, Instant acceptedAt,
                          Instant updatedAt, Instant nextAttemptAt, List<FileOutcome> files,
                          RecordingMetadata metadata, FileOutcome metadataFile, List<WebhookOutcome> deliveries) {

    /** Where an accepted recording stands. */
    public enum State {
        /** Accepted and under way, or interrupted by a crash: {@code resume()} finishes it. */
        IN_PROGRESS,
        /** Ended short of complete (files or deliveries failed); retried on the slow schedule. */
        PENDING,
        /** Waiting for the receiver to know the user (404); retried on the slow schedule or by hand. */
        PARKED,
        /** Older than the give-up age and still not complete; retried only by hand. */
        GAVE_UP,
        /** Complete (or rejected as invalid); pruned after the retention. */
        DONE
    }

    public OutboxEntry {
        files = List.copyOf(files);
        deliveries = List.copyOf(deliveries);
    }

    public long id() {
        return recording.id();
    }

    public Optional<String> reasonIfAny() {
        return Optional.ofNullable(reason);
    }

    public Optional<Instant> nextAttempt() {
        return Optional.ofNullable(nextAttemptAt);
    }

    @Override
    public String toString() {
        return "OutboxEntry{id=" + id() + ", state=" + state + ", attempts=" + attempts
                + (reason == null ? "" : ", reason=" + reason) + ", files=" + files.size()
                + ", deliveries=" + deliveries.size() + "}";
    }
}
