package dev.reelay.event;

import java.time.Instant;

/**
 * Something a pipeline did. Events of one recording come in the order they happened (a file's
 * upload starts, progresses, then is stored or fails; the recording's end comes last); events of
 * different recordings interleave.
 *
 * <pre>{@code
 * pipeline.events().subscribe(e -> {
 *     if (e instanceof RecordingFinished f) {
 *         log.info("recording {} ended {}", f.recordingId(), f.status());
 *     } else if (e instanceof EventsDropped d) {
 *         log.warn("missed {} events", d.count());
 *     }
 * });
 * }</pre>
 */
public sealed interface PipelineEvent
        permits RecordingEvent, EndpointDisabled, EndpointEnabled, EventsDropped {

    /** When it happened, by the pipeline's clock ({@code PipelineOptions.clock()}). */
    Instant at();
}
