package dev.reelay.internal.telemetry;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.UploadProgress;
import dev.reelay.event.EndpointDisabled;
import dev.reelay.event.EndpointEnabled;
import dev.reelay.event.JournalProblem;
import dev.reelay.event.MetadataStored;
import dev.reelay.event.RecordingAccepted;
import dev.reelay.event.RecordingFinished;
import dev.reelay.event.RecordingInterrupted;
import dev.reelay.event.RecordingResumed;
import dev.reelay.event.UploadFailed;
import dev.reelay.event.UploadProgressed;
import dev.reelay.event.UploadStarted;
import dev.reelay.event.UploadStored;
import dev.reelay.event.WebhookAttempted;
import dev.reelay.event.WebhookFinished;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * What a pipeline tells its watchers, from the places where things happen: each call here emits
 * the event (when anyone listens) and keeps the trace (when traced), so that the stages call one
 * thing. A recording's run puts its {@link RunWatch} into the Reactor context; what happens inside
 * it is a child of the recording's span.
 */
public final class Telemetry {

    /** How often a file's progress is told at most. */
    static final long PROGRESS_EVERY_NANOS = 100_000_000L;

    private final Clock clock;
    private final EventHub hub;
    private final Tracing tracing;
    private final UploadProgress progress;

    public Telemetry(Clock clock, Tracing tracing, UploadProgress progress) {
        this.clock = clock;
        this.hub = new EventHub(clock);
        this.tracing = tracing;
        this.progress = progress;
    }

    public EventHub hub() {
        return hub;
    }

    private Instant now() {
        return clock.instant();
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * How meters and spans name an endpoint: the name the host gave it, or else its URL's host (and
     * port), never a whole URL.
     */
    public static String endpointTag(String displayName) {
        if (displayName.startsWith("http://") || displayName.startsWith("https://")) {
            try {
                URI u = URI.create(displayName.replace("…", ""));
                if (u.getHost() != null) {
                    return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
                }
            } catch (IllegalArgumentException notAUri) {
                // a name that merely starts like a URL: used as it is
            }
        }
        return displayName;
    }

    // ---- recordings

    /** A run of a recording starts: accepted (new) or resumed (the journal held it unfinished). */
    public RunWatch runStarted(ContextView context, long recordingId, boolean resumed, int attempt, int files) {
        if (hub.active()) {
            hub.emit(resumed ? new RecordingResumed(now(), recordingId, attempt)
                    : new RecordingAccepted(now(), recordingId, files));
        }
        Span span = tracing.start("reelay.recording", "recording", Span.NONE, context);
        span.tag("reelay.start", resumed ? "resumed" : "accepted");
        span.detail("reelay.recording.id", Long.toString(recordingId));
        return new RunWatch(recordingId, span);
    }

    /** A result given without a run: input rejected, not accepted, a duplicate, complete already. */
    public void answered(PipelineResult result) {
        if (hub.active()) {
            hub.emit(finished(result, false, Duration.ZERO));
        }
    }

    private RecordingFinished finished(PipelineResult r, boolean ran, Duration duration) {
        int failed = (int) r.files().stream().filter(f -> !f.stored()).count()
                + (r.metadataFile().filter(f -> !f.stored()).isPresent() ? 1 : 0);
        int stored = (int) r.files().stream().filter(FileOutcome::stored).count();
        return new RecordingFinished(now(), r.recordingId(), r.status(), r.reason().orElse(null), stored, failed,
                r.webhooks(), ran, duration);
    }

    /** One recording's run: its span, and where its events go. */
    public final class RunWatch {
        private final long recordingId;
        private final Span span;
        private final long start = System.nanoTime();
        private final AtomicBoolean ended = new AtomicBoolean();

        private RunWatch(long recordingId, Span span) {
            this.recordingId = recordingId;
            this.span = span;
        }

        /** The context of the run's stages: this watch, and its span as the current one. */
        public Context into(Context context) {
            return tracing.current(context.put(RunWatch.class, this), span);
        }

        /** The run ended with a result. */
        public void finished(PipelineResult result) {
            if (ended.compareAndSet(false, true)) {
                if (hub.active()) {
                    hub.emit(Telemetry.this.finished(result, true, since(start)));
                }
                span.tag("reelay.status", result.status().name().toLowerCase(Locale.ROOT));
                span.end();
            }
        }

        /** The run stopped without a result (cut off by close, or cancelled). */
        public void interrupted() {
            if (ended.compareAndSet(false, true)) {
                if (hub.active()) {
                    hub.emit(new RecordingInterrupted(now(), recordingId, since(start)));
                }
                span.tag("reelay.status", "interrupted");
                span.end();
            }
        }

        /** A journal write of this run failed. */
        public void journalProblem(String what, String message) {
            Telemetry.this.journalProblem(recordingId, what, message);
        }
    }

    /** The run of this recording in the context, or null outside a run. */
    public static RunWatch run(ContextView context, long recordingId) {
        RunWatch run = context.getOrDefault(RunWatch.class, null);
        return run != null && run.recordingId == recordingId ? run : null;
    }

    private Span parent(ContextView context, long recordingId) {
        RunWatch run = run(context, recordingId);
        return run == null ? Span.NONE : run.span;
    }

    public void journalProblem(long recordingId, String what, String message) {
        if (hub.active()) {
            hub.emit(new JournalProblem(now(), recordingId, what, message));
        }
    }

    // ---- media

    /** The media work of a recording (probing, a thumbnail) starts. */
    public Span media(ContextView context, long recordingId) {
        Span span = tracing.start("reelay.media", "media", parent(context, recordingId), context);
        span.detail("reelay.recording.id", Long.toString(recordingId));
        return span;
    }

    // ---- uploads

    /** A file's upload got its slot and starts. */
    public UploadWatch uploadStarted(ContextView context, long recordingId, FileRole role, String fileName, long bytes) {
        String roleName = role.name().toLowerCase(Locale.ROOT);
        if (hub.active()) {
            hub.emit(new UploadStarted(now(), recordingId, role, fileName, bytes));
        }
        Span span = tracing.start("reelay.upload", "upload " + roleName, parent(context, recordingId), context);
        span.tag("reelay.file.role", roleName);
        span.detail("reelay.recording.id", Long.toString(recordingId));
        span.detail("reelay.file.name", fileName);
        span.detail("reelay.file.bytes", Long.toString(bytes));
        return new UploadWatch(recordingId, role, fileName, bytes, span);
    }

    /** A file that could not even start: missing, empty, unreadable, refused. */
    public void uploadRefused(long recordingId, FileRole role, String fileName, String error) {
        if (hub.active()) {
            hub.emit(new UploadFailed(now(), recordingId, role, fileName, 0, 0, Duration.ZERO, error));
        }
    }

    /** One file's upload. */
    public final class UploadWatch {
        private final long recordingId;
        private final FileRole role;
        private final String fileName;
        private final long bytes;
        private final Span span;
        private final long start = System.nanoTime();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong told = new AtomicLong();
        private volatile long toldAt = start - PROGRESS_EVERY_NANOS;
        private final AtomicBoolean ended = new AtomicBoolean();

        private UploadWatch(long recordingId, FileRole role, String fileName, long bytes, Span span) {
            this.recordingId = recordingId;
            this.role = role;
            this.fileName = fileName;
            this.bytes = bytes;
            this.span = span;
        }

        /**
         * Hears bytes as they go out (every buffer): tells the progress listener and the events at
         * most every 100 ms, and when the last byte is out; never a count lower than one told
         * before. Costs an addition when nobody listens.
         */
        public LongConsumer progress() {
            return n -> {
                long now = Math.min(bytes, sent.addAndGet(n));
                boolean events = hub.active();
                if (!events && progress == UploadProgress.NONE) {
                    return;
                }
                long t = System.nanoTime();
                for (;;) {
                    long before = told.get();
                    if (now <= before || (now != bytes && t - toldAt < PROGRESS_EVERY_NANOS)) {
                        return;
                    }
                    if (told.compareAndSet(before, now)) {
                        break;
                    }
                }
                toldAt = t;
                progress.progress(recordingId, fileName, now, bytes);
                if (events) {
                    hub.emit(new UploadProgressed(now(), recordingId, role, fileName, now, bytes));
                }
            };
        }

        public void stored(int attempts) {
            if (ended.compareAndSet(false, true)) {
                if (hub.active()) {
                    hub.emit(new UploadStored(now(), recordingId, role, fileName, bytes, attempts, since(start)));
                }
                span.tag("reelay.outcome", "stored");
                span.detail("reelay.upload.attempts", Integer.toString(attempts));
                span.end();
            }
        }

        public void failed(int attempts, String error, Throwable cause) {
            if (ended.compareAndSet(false, true)) {
                if (hub.active()) {
                    hub.emit(new UploadFailed(now(), recordingId, role, fileName, bytes, attempts, since(start), error));
                }
                span.tag("reelay.outcome", "failed");
                span.detail("reelay.upload.attempts", Integer.toString(attempts));
                span.error(cause);
                span.end();
            }
        }

        /** Cut off (close, a cancelled stream): no event, the recording's interruption says it. */
        public void cancelled() {
            if (ended.compareAndSet(false, true)) {
                span.tag("reelay.outcome", "cancelled");
                span.end();
            }
        }
    }

    /** The recording's metadata document is stored. */
    public void metadataStored(long recordingId, String fileName, long bytes) {
        if (hub.active()) {
            hub.emit(new MetadataStored(now(), recordingId, fileName, bytes));
        }
    }

    // ---- deliveries

    /** A delivery of a recording's webhook to one endpoint starts. */
    public DeliveryWatch deliveryStarted(ContextView context, long recordingId, WebhookEndpoint endpoint) {
        return new Delivery(context, recordingId, endpoint);
    }

    /** A delivery that ends at once, without an attempt (the endpoint is disabled). */
    public void deliveryEnded(long recordingId, WebhookOutcome outcome) {
        if (hub.active()) {
            hub.emit(new WebhookFinished(now(), recordingId, outcome, Duration.ZERO));
        }
    }

    private final class Delivery implements DeliveryWatch {
        private final ContextView context;
        private final long recordingId;
        private final WebhookEndpoint endpoint;
        private final String tag;
        private final long start = System.nanoTime();

        Delivery(ContextView context, long recordingId, WebhookEndpoint endpoint) {
            this.context = context;
            this.recordingId = recordingId;
            this.endpoint = endpoint;
            this.tag = endpoint.name().orElseGet(() -> endpointTag(endpoint.displayUrl()));
        }

        @Override
        public Attempt attempt(int n) {
            Map<String, String> headers = new LinkedHashMap<>();
            Span span = tracing.startClient("reelay.webhook.attempt", "webhook POST", parent(context, recordingId),
                    context, tag, headers);
            span.tag("reelay.webhook.endpoint", tag);
            span.detail("reelay.recording.id", Long.toString(recordingId));
            span.detail("reelay.webhook.attempt", Integer.toString(n));
            long started = System.nanoTime();
            AtomicBoolean ended = new AtomicBoolean();
            return new Attempt() {
                @Override
                public Map<String, String> headers() {
                    return headers;
                }

                @Override
                public void ended(int statusCode, WebhookAttempted.Result result, String error) {
                    if (!ended.compareAndSet(false, true)) {
                        return;
                    }
                    WebhookAttempted event = new WebhookAttempted(now(), recordingId, endpoint.displayName(), n,
                            statusCode, result, error, since(started));
                    if (hub.active()) {
                        hub.emit(event);
                    }
                    span.tag("reelay.webhook.outcome", event.outcome());
                    if (statusCode != 0) {
                        span.detail("http.response.status_code", Integer.toString(statusCode));
                    }
                    span.end();
                }
            };
        }

        @Override
        public void finished(WebhookOutcome outcome) {
            if (hub.active()) {
                hub.emit(new WebhookFinished(now(), recordingId, outcome, since(start)));
            }
        }
    }

    // ---- endpoints

    public void endpointDisabled(String endpoint, String reason) {
        if (hub.active()) {
            hub.emit(new EndpointDisabled(now(), endpoint, reason));
        }
    }

    public void endpointEnabled(String endpoint) {
        if (hub.active()) {
            hub.emit(new EndpointEnabled(now(), endpoint));
        }
    }

    /** The events end: every subscriber completes once it has what was emitted. */
    public void close() {
        hub.complete();
    }
}
