package dev.reelay.event;

import dev.reelay.PipelineResult;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A recording ended with a result: one such event for every {@link PipelineResult} the pipeline
 * hands out. It carries the result's summary; the result itself, with its URLs (which may be
 * presigned, so credentials), is what {@code process()} and the other streams return.
 *
 * @param status       the result's status
 * @param reason       what went wrong, null when complete (see {@link #reasonText()})
 * @param filesStored  files stored, metadata.json not counted
 * @param filesFailed  files that could not be stored, metadata.json included
 * @param webhooks     each endpoint's outcome
 * @param ran          whether a run of the stages ended here (after {@link RecordingAccepted} or
 *                     {@link RecordingResumed}); false for an answer given at once: input rejected,
 *                     a recording the journal did not take, a duplicate in flight, one complete already
 * @param duration     how long the run took; zero when nothing ran
 */
public record RecordingFinished(Instant at, long recordingId, PipelineResult.Status status, String reason,
                                int filesStored, int filesFailed, List<WebhookOutcome> webhooks, boolean ran,
                                Duration duration) implements RecordingEvent {

    public RecordingFinished {
        Objects.requireNonNull(status, "status");
        webhooks = List.copyOf(webhooks);
        Objects.requireNonNull(duration, "duration");
    }

    /** What went wrong, unless the recording is complete. */
    public Optional<String> reasonText() {
        return Optional.ofNullable(reason);
    }
}
