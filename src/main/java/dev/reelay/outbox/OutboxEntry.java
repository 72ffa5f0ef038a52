package dev.reelay.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the outbox knows of one accepted recording: the recording itself, what was already
 * done for it, and where it stands.
 *
 * @param recording     the recording as accepted (its paths absolute)
 * @param version       what its files were when it was accepted (paths, sizes, modification times), as a digest
 * @param state         where it stands
 * @param reason        why it is not done, when it is not
 * @param attempts      how many times it was run (the first run included)
 * @param acceptedAt    when this version was accepted
 * @param updatedAt     when the outbox last heard of it
 * @param nextAttemptAt when the slow schedule retries it next, or null
 * @param holder        the journal instance working on it now, or null
 * @param files         the files already stored
 * @param uploads       multipart uploads under way, by file name
 * @param metadata      the metadata document already stored, or null
 * @param metadataFile  the stored metadata.json, or null
 * @param deliveries    each endpoint's last delivery
 * @param lastResult    how its last run ended ({@code COMPLETED}, {@code PARTIAL}, {@code WEBHOOK_FAILED}, …),
 *                      or null while its first run is under way (or when a journal older than the attempt log
 *                      ended it)
 */
public record OutboxEntry(Recording recording, String version, State state, String reason, int attempts,
                          Instant acceptedAt, Instant updatedAt, Instant nextAttemptAt, String holder,
                          List<FileOutcome> files, Map<String, MultipartProgress> uploads,
                          RecordingMetadata metadata, FileOutcome metadataFile, List<WebhookOutcome> deliveries,
                          PipelineResult.Status lastResult) {

    /** Where an accepted recording stands. */
    public enum State {
        /** Accepted and under way, or interrupted by a crash or a stop: {@code resume()} finishes it. */
        IN_PROGRESS,
        /** Ended short of complete (files or deliveries failed); retried on the slow schedule. */
        PENDING,
        /** Waiting for the receiver to know the user (404); retried on the slow schedule or by hand. */
        PARKED,
        /** Older than the give-up age and still not complete; retried only by hand. */
        GAVE_UP,
        /** Refused as invalid; nothing to retry. Pruned after the retention. */
        REJECTED,
        /** Complete; pruned after the retention. */
        DONE
    }

    public OutboxEntry {
        files = List.copyOf(files);
        uploads = Collections.unmodifiableMap(new LinkedHashMap<>(uploads));
        deliveries = List.copyOf(deliveries);
    }

    /** An entry whose last result is not known (an outbox that does not keep it). */
    public OutboxEntry(Recording recording, String version, State state, String reason, int attempts,
                       Instant acceptedAt, Instant updatedAt, Instant nextAttemptAt, String holder,
                       List<FileOutcome> files, Map<String, MultipartProgress> uploads,
                       RecordingMetadata metadata, FileOutcome metadataFile, List<WebhookOutcome> deliveries) {
        this(recording, version, state, reason, attempts, acceptedAt, updatedAt, nextAttemptAt, holder, files, uploads,
                metadata, metadataFile, deliveries, null);
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

    /** How its last run ended, when one did. */
    public Optional<PipelineResult.Status> lastResultIfAny() {
        return Optional.ofNullable(lastResult);
    }

    @Override
    public String toString() {
        return "OutboxEntry{id=" + id() + ", state=" + state + ", attempts=" + attempts
                + (lastResult == null ? "" : ", lastResult=" + lastResult) + (reason == null ? "" : ", reason=" + reason) + (holder == null ? "" : ", holder=" + holder)
                + ", files=" + files.size() + ", uploads=" + uploads.size() + ", deliveries=" + deliveries.size() + "}";
    }
}
