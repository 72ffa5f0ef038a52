/**
 * What a pipeline does, as events: {@link dev.reelay.RecordingPipeline#events()} is one hot stream
 * of them for every watcher (metrics, traces, a dashboard, the host's own code).
 *
 * <pre>{@code
 * pipeline.events()
 *         .ofType(UploadStored.class)
 *         .subscribe(e -> log.info("{} of recording {}: {} bytes in {}", e.fileName(), e.recordingId(),
 *                 e.bytes(), e.duration()));
 * }</pre>
 *
 * <p>The events are a sealed hierarchy: {@link dev.reelay.event.PipelineEvent} at the top,
 * {@link dev.reelay.event.RecordingEvent} for what concerns one recording. They carry no secret:
 * no URL (a presigned URL's query string is a credential), no key, no token; endpoints by their
 * {@link dev.reelay.webhook.WebhookEndpoint#displayName()}.
 */
package dev.reelay.event;
