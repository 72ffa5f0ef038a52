package dev.reelay.event;

/** An event about one recording. */
public sealed interface RecordingEvent extends PipelineEvent
        permits RecordingAccepted, RecordingResumed, RecordingFinished, RecordingInterrupted, UploadStarted,
        UploadProgressed, UploadStored, UploadFailed, MetadataStored, WebhookAttempted, WebhookFinished, JournalProblem {

    /** The recording's id. */
    long recordingId();
}
