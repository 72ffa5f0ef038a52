package dev.reelay.internal.dashboard;

import dev.reelay.RecordingPipeline;
import dev.reelay.event.MetadataStored;
import dev.reelay.event.PipelineEvent;
import dev.reelay.event.RecordingAccepted;
import dev.reelay.event.RecordingFinished;
import dev.reelay.event.RecordingInterrupted;
import dev.reelay.event.RecordingResumed;
import dev.reelay.event.UploadFailed;
import dev.reelay.event.UploadProgressed;
import dev.reelay.event.UploadStarted;
import dev.reelay.event.UploadStored;
import dev.reelay.event.WebhookAttempted;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Recordings in flight with each file's progress, kept from the pipeline's events and sent to pages as
 * server-sent events: a snapshot at once, then one after each change (at most four a second, the
 * latest state), and a comment every 15 s so that proxies keep the stream open. The events are taken
 * on the worker {@link RecordingPipeline#events()} gives its subscriber, never on the pipeline's
 * threads; a page that reads slowly gets the latest snapshot, not a queue of old ones.
 */
final class LiveView implements AutoCloseable {

    /** At most this many recordings are shown; the oldest in flight first. */
    static final int SHOWN = 200;
    private static final Duration PACE = Duration.ofMillis(250);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    /** One recording in flight; written on the events' worker only, read by snapshots under its lock. */
    private static final class InFlight {
        final long id;
        String stage = "accepted";
        final Map<String, long[]> files = new LinkedHashMap<>(); // name -> {sent, total, state}

        InFlight(long id) {
            this.id = id;
        }
    }

    private static final String[] FILE_STATES = {"waiting", "uploading", "stored", "failed"};

    private final Map<Long, InFlight> inFlight = new ConcurrentSkipListMap<>();
    private final Sinks.Many<Boolean> changes = Sinks.many().multicast().directBestEffort();
    private final Disposable subscription;

    LiveView(RecordingPipeline pipeline) {
        this.subscription = pipeline.events().subscribe(this::apply, e -> changes.tryEmitComplete(),
                changes::tryEmitComplete);
    }

    boolean available() {
        return true;
    }

    private void apply(PipelineEvent event) {
        if (event instanceof RecordingAccepted a) {
            inFlight.put(a.recordingId(), new InFlight(a.recordingId()));
        } else if (event instanceof RecordingResumed r) {
            inFlight.put(r.recordingId(), new InFlight(r.recordingId()));
        } else if (event instanceof RecordingFinished f) {
            inFlight.remove(f.recordingId());
        } else if (event instanceof RecordingInterrupted i) {
            inFlight.remove(i.recordingId());
        } else if (event instanceof UploadStarted s) {
            update(s.recordingId(), r -> {
                r.stage = "uploading";
                r.files.put(s.fileName(), new long[] {0, s.bytes(), 1});
            });
        } else if (event instanceof UploadProgressed p) {
            update(p.recordingId(), r -> r.files.put(p.fileName(), new long[] {p.bytesSent(), p.totalBytes(), 1}));
        } else if (event instanceof UploadStored s) {
            update(s.recordingId(), r -> r.files.put(s.fileName(), new long[] {s.bytes(), s.bytes(), 2}));
        } else if (event instanceof UploadFailed f) {
            update(f.recordingId(), r -> {
                long[] was = r.files.get(f.fileName());
                r.files.put(f.fileName(), new long[] {was == null ? 0 : was[0], f.bytes(), 3});
            });
        } else if (event instanceof MetadataStored m) {
            update(m.recordingId(), r -> r.stage = "metadata stored");
        } else if (event instanceof WebhookAttempted w) {
            update(w.recordingId(), r -> r.stage = "webhook attempt " + w.attempt());
        } else {
            return;
        }
        changes.tryEmitNext(Boolean.TRUE);
    }

    private void update(long id, Consumer<InFlight> change) {
        InFlight r = inFlight.computeIfAbsent(id, InFlight::new); // a run resumed before the dashboard was made
        synchronized (r) {
            change.accept(r);
        }
    }

    String snapshot() {
        return JsonOut.object(j -> j.array("recordings", a -> {
            int n = 0;
            for (InFlight r : inFlight.values()) {
                if (n++ == SHOWN) {
                    break;
                }
                synchronized (r) {
                    a.element(x -> {
                        x.field("id", r.id).field("stage", r.stage);
                        x.array("files", files -> {
                            for (Map.Entry<String, long[]> f : r.files.entrySet()) {
                                long[] v = f.getValue();
                                files.element(o -> o.field("name", f.getKey()).field("sent", v[0]).field("total", v[1])
                                        .field("state", FILE_STATES[(int) v[2]]));
                            }
                        });
                    });
                }
            }
        }).field("inFlight", inFlight.size()));
    }

    Publisher<Void> stream(HttpServerResponse response) {
        Flux<String> frames = Flux.merge(
                        Flux.just(Boolean.TRUE),
                        changes.asFlux().sample(PACE),
                        Flux.interval(KEEP_ALIVE).map(t -> Boolean.FALSE))
                .onBackpressureLatest()
                .map(changed -> changed ? "event: snapshot\ndata: " + snapshot() + "\n\n" : ": keep-alive\n\n")
                .takeUntilOther(changes.asFlux().ignoreElements().then(Mono.just(1))); // the view closed
        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .header("X-Accel-Buffering", "no")
                .sendString(frames, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        subscription.dispose();
        changes.tryEmitComplete();
    }
}
