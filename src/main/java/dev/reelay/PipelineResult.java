package dev.reelay;

import dev.reelay.webhook.WebhookOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What happened to one recording, as data. A failure of one recording is a result, never an
 * error of the stream.
 *
 * <pre>{@code
 * pipeline.process(recordings).subscribe(result -> {
 *     switch (result.status()) {
 *         case COMPLETED -> log.info("{} stored and announced", result.recordingId());
 *         case WEBHOOK_FAILED, PARTIAL -> log.warn("{}: {}", result.recordingId(), result.reason().orElse(""));
 *         case UPLOAD_FAILED, REJECTED -> log.error("{}: {}", result.recordingId(), result.reason().orElse(""));
 *         case NOT_ACCEPTED -> retryLater(result.recording());
 *     }
 * });
 * }</pre>
 */
public final class PipelineResult {

    /** The end state of a recording. */
    public enum Status {
        /** Every file and the metadata stored; every endpoint took the webhook. */
        COMPLETED,
        /** Some files failed; the webhook was sent with the ones that were stored. */
        PARTIAL,
        /** Every file stored; at least one endpoint did not take the webhook. */
        WEBHOOK_FAILED,
        /** No file stored, so no webhook was sent. */
        UPLOAD_FAILED,
        /** Invalid input; nothing was done. The reason names the field. */
        REJECTED,
        /**
         * The journal could not take the recording (a full disk, say), so nothing was done and
         * nothing is kept of it; submit it again later. The reason says what the journal said.
         */
        NOT_ACCEPTED
    }

    private final RecordingJob job;
    private final Status status;
    private final String reason;

    private PipelineResult(RecordingJob job, Status status, String reason) {
        this.job = job;
        this.status = status;
        this.reason = reason;
    }

    /**
     * The result of a recording the journal could not take: nothing was done. For the pipeline,
     * and for {@code Outbox} implementations' tests.
     */
    public static PipelineResult notAccepted(Recording recording, String reason) {
        return new PipelineResult(RecordingJob.of(recording), Status.NOT_ACCEPTED, reason);
    }

    static PipelineResult of(RecordingJob job) {
        long id = job.id();
        if (job.rejected()) {
            return new PipelineResult(job, Status.REJECTED, job.rejection().orElseThrow());
        }
        List<FileOutcome> failed = new ArrayList<>();
        for (FileOutcome f : job.uploads()) {
            if (!f.stored()) {
                failed.add(f);
            }
        }
        job.metadataUpload().filter(f -> !f.stored()).ifPresent(failed::add);
        List<WebhookOutcome> undelivered = job.webhooks().stream().filter(w -> !w.delivered()).toList();
        boolean anyStored = job.uploads().stream().anyMatch(FileOutcome::stored);

        if (!anyStored) {
            String why = job.uploads().isEmpty() ? "recording " + id + ": no file was uploaded"
                    : "recording " + id + ": no file could be stored: " + describeFiles(failed);
            return new PipelineResult(job, Status.UPLOAD_FAILED, why);
        }
        if (!failed.isEmpty()) {
            String why = "recording " + id + ": " + failed.size() + " of " + (job.uploads().size()
                    + (job.metadataUpload().isPresent() ? 1 : 0)) + " files failed: " + describeFiles(failed);
            if (!undelivered.isEmpty()) {
                why += "; " + describeWebhooks(undelivered);
            }
            return new PipelineResult(job, Status.PARTIAL, why);
        }
        if (!undelivered.isEmpty()) {
            return new PipelineResult(job, Status.WEBHOOK_FAILED,
                    "recording " + id + ": files stored; " + describeWebhooks(undelivered));
        }
        return new PipelineResult(job, Status.COMPLETED, null);
    }

    private static String describeFiles(List<FileOutcome> failed) {
        return failed.stream().map(FileOutcome::error).collect(Collectors.joining("; "));
    }

    private static String describeWebhooks(List<WebhookOutcome> undelivered) {
        return undelivered.stream()
                .map(w -> "webhook to " + w.endpoint() + " " + w.state().name().toLowerCase(java.util.Locale.ROOT)
                        + ": " + w.error())
                .collect(Collectors.joining("; "));
    }

    /** The recording's id. */
    public long recordingId() {
        return job.id();
    }

    /** The recording as the host handed it in. */
    public Recording recording() {
        return job.recording();
    }

    public Status status() {
        return status;
    }

    /** Why the result is not {@link Status#COMPLETED}, naming the recording and what failed. */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** Each file's outcome, metadata.json excluded. */
    public List<FileOutcome> files() {
        return job.uploads();
    }

    /** The outcome of metadata.json, when files were stored. */
    public Optional<FileOutcome> metadataFile() {
        return job.metadataUpload();
    }

    /** The metadata document that was stored and sent. */
    public Optional<RecordingMetadata> metadata() {
        return job.metadata();
    }

    /** Each endpoint's delivery; empty when no webhook was due. */
    public List<WebhookOutcome> webhooks() {
        return job.webhooks();
    }

    /** Problems that did not change the status, e.g. a thumbnail that could not be made. */
    public List<String> warnings() {
        return job.warnings();
    }

    /** What host stages attached to the job. */
    public Map<String, Object> attributes() {
        return job.attributes();
    }

    /** The job the result was made from. */
    public RecordingJob job() {
        return job;
    }

    @Override
    public String toString() {
        return "PipelineResult{recording=" + recordingId() + ", status=" + status
                + (reason == null ? "" : ", reason=" + reason) + "}";
    }
}
