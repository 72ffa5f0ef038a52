package dev.reelay.internal.dashboard;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingMetadata;
import dev.reelay.RecordingPipeline;
import dev.reelay.internal.outbox.InterimCounts;
import dev.reelay.internal.webhook.Redaction;
import dev.reelay.outbox.Activity;
import dev.reelay.outbox.Attempt;
import dev.reelay.outbox.EndpointHealth;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.outbox.OutboxQuery;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The JSON of the dashboard's pages, read from the journal through the public {@link Outbox} API.
 * URLs are shown without query strings (a presigned URL's signature is a secret) and without user
 * info; what recordings and receivers said is a string, for the page to show as text.
 */
final class ReadModel {

    private final RecordingPipeline pipeline;
    private final Outbox outbox;
    private final Clock clock;
    private final Duration chartWindow;

    ReadModel(RecordingPipeline pipeline, Duration chartWindow) {
        this.pipeline = pipeline;
        this.outbox = pipeline.outbox();
        this.clock = pipeline.options().clock();
        this.chartWindow = chartWindow;
    }

    List<WebhookEndpoint> endpoints() {
        return pipeline.options().webhooks();
    }

    // ---- the overview

    Mono<String> overview() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        Instant since = now.minus(chartWindow);
        Mono<InterimCounts> counts = outbox instanceof InterimCounts.Source source
                ? source.countsByStateUntilStatsLands() : Mono.just(new InterimCounts(Map.of(), null));
        return Mono.zip(counts, outbox.lastResults(), outbox.activity(since), outbox.endpointHealth(since))
                .publishOn(Schedulers.boundedElastic())
                .map(t -> JsonOut.object(json -> {
                    InterimCounts c = t.getT1();
                    Map<PipelineResult.Status, Long> results = t.getT2();
                    long pending = c.counts().getOrDefault(State.PENDING, 0L);
                    long partial = results.getOrDefault(PipelineResult.Status.PARTIAL, 0L);
                    long webhookFailed = results.getOrDefault(PipelineResult.Status.WEBHOOK_FAILED, 0L);
                    long uploadFailed = results.getOrDefault(PipelineResult.Status.UPLOAD_FAILED, 0L);
                    json.object("counts", o -> o
                            .field(DisplayState.IN_FLIGHT.key, c.counts().getOrDefault(State.IN_PROGRESS, 0L))
                            .field(DisplayState.COMPLETED.key, c.counts().getOrDefault(State.DONE, 0L))
                            .field(DisplayState.PARTIAL.key, partial)
                            .field(DisplayState.WEBHOOK_FAILED.key, webhookFailed)
                            .field(DisplayState.UPLOAD_FAILED.key, uploadFailed)
                            .field(DisplayState.PENDING.key, Math.max(0, pending - partial - webhookFailed - uploadFailed))
                            .field(DisplayState.PARKED.key, c.counts().getOrDefault(State.PARKED, 0L))
                            .field(DisplayState.GAVE_UP.key, c.counts().getOrDefault(State.GAVE_UP, 0L))
                            .field(DisplayState.REJECTED.key, c.counts().getOrDefault(State.REJECTED, 0L)));
                    json.field("oldestWaiting", c.oldestWaiting());
                    json.field("backlogAgeSeconds", c.oldestWaiting() == null ? -1
                            : Math.max(0, Duration.between(c.oldestWaiting(), now).toSeconds()));
                    json.field("now", now).field("since", since);
                    json.array("activity", a -> {
                        for (Activity m : t.getT3()) {
                            a.element(x -> x.field("minute", m.minute().getEpochSecond())
                                    .field("mibPerSecond", m.mebibytesPerSecond())
                                    .field("filesStored", m.filesStored()).field("filesFailed", m.filesFailed())
                                    .field("webhooksTaken", m.webhooksTaken()).field("webhooksFailed", m.webhooksFailed()));
                        }
                    });
                    endpointHealth(json, t.getT4());
                    json.field("readInMs", Duration.ofNanos(System.nanoTime() - started).toMillis());
                }));
    }

    private void endpointHealth(JsonOut json, List<EndpointHealth> health) throws IOException {
        Map<String, EndpointHealth> byName = new LinkedHashMap<>();
        health.forEach(h -> byName.put(h.endpoint(), h));
        Set<String> names = new TreeSet<>(byName.keySet());
        Map<String, WebhookEndpoint> configured = new LinkedHashMap<>();
        endpoints().forEach(e -> configured.put(e.displayName(), e));
        json.array("endpoints", a -> {
            List<String> order = new ArrayList<>(configured.keySet());
            names.stream().filter(n -> !configured.containsKey(n)).forEach(order::add);
            for (String name : order) {
                EndpointHealth h = byName.get(name);
                WebhookEndpoint e = configured.get(name);
                a.element(x -> {
                    x.field("name", name).field("url", e == null ? null : e.displayUrl()).field("configured", e != null);
                    x.field("attempts", h == null ? 0 : h.attempts()).field("succeeded", h == null ? 0 : h.succeeded());
                    if (h != null && h.successRate().isPresent()) {
                        x.field("successRate", h.successRate().get());
                    } else {
                        x.nullField("successRate");
                    }
                    x.field("lastAttemptAt", h == null ? null : h.lastAttemptAt())
                            .field("lastSuccessAt", h == null ? null : h.lastSuccessAt())
                            .field("lastFailureAt", h == null ? null : h.lastFailureAt())
                            .field("lastFailure", h == null ? null : h.lastFailure())
                            .field("disabled", h != null && h.disabled())
                            .field("disabledSince", h == null ? null : h.disabledSince())
                            .field("disabledReason", h == null ? null : h.disabledReason());
                });
            }
        });
    }

    // ---- recordings

    Mono<String> list(String state, String endpoint, String text, int limit, String after) {
        return Mono.fromCallable(() -> {
                    OutboxQuery.Builder q = OutboxQuery.builder().endpoint(endpoint).text(text).limit(limit).after(after);
                    if (state != null && !state.isBlank()) {
                        DisplayState.byKey(state).filter(q);
                    }
                    return q.build();
                })
                .flatMap(outbox::list)
                .publishOn(Schedulers.boundedElastic())
                .map(page -> JsonOut.object(json -> {
                    json.array("items", a -> {
                        for (OutboxEntry e : page.entries()) {
                            a.element(x -> summary(x, e));
                        }
                    });
                    json.field("next", page.next());
                }));
    }

    private static void summary(JsonOut x, OutboxEntry e) throws IOException {
        x.field("id", e.id()).field("title", e.recording().title())
                .field("username", e.recording().user() == null ? null : e.recording().user().username())
                .field("email", e.recording().user() == null ? null : e.recording().user().email())
                .field("state", DisplayState.of(e).key).field("stateLabel", DisplayState.of(e).label)
                .field("journalState", e.state().name())
                .field("lastResult", e.lastResult() == null ? null : e.lastResult().name())
                .field("reason", e.reason()).field("attempts", e.attempts())
                .field("acceptedAt", e.acceptedAt()).field("updatedAt", e.updatedAt())
                .field("nextAttemptAt", e.nextAttemptAt())
                .field("files", e.recording().files().size()).field("filesStored", e.files().size());
        x.array("deliveries", d -> {
            for (WebhookOutcome w : e.deliveries()) {
                d.element(y -> y.field("endpoint", w.endpoint()).field("state", w.state().name())
                        .field("statusCode", w.statusCode()));
            }
        });
    }

    /** One recording with its files, metadata, deliveries and attempt log; empty when the journal has none. */
    Mono<String> recording(long id) {
        return Mono.zip(outbox.entry(id), outbox.attempts(id).collectList(), outbox.disabledEndpoints())
                .publishOn(Schedulers.boundedElastic())
                .map(t -> JsonOut.object(json -> {
                    OutboxEntry e = t.getT1();
                    List<Attempt> attempts = t.getT2();
                    summary(json, e);
                    json.field("createdAt", e.recording().createdAt())
                            .field("holder", e.holder());
                    json.array("fileList", a -> {
                        Map<String, FileOutcome> stored = new LinkedHashMap<>();
                        e.files().forEach(f -> stored.put(f.name(), f));
                        List<String> names = new ArrayList<>();
                        e.recording().files().forEach(f -> names.add(f.name()));
                        stored.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
                        for (String name : names) {
                            FileOutcome f = stored.get(name);
                            RecordingFile declared = e.recording().files().stream().filter(r -> r.name().equals(name))
                                    .findFirst().orElse(null);
                            Attempt last = attempts.stream().filter(x -> x.kind() == Attempt.Kind.UPLOAD && x.target().equals(name))
                                    .reduce((x, y) -> y).orElse(null);
                            a.element(x -> x.field("name", name)
                                    .field("role", f != null ? f.role().name() : declared == null ? null : declared.role().name())
                                    .field("stored", f != null)
                                    .field("size", f != null ? f.size() : last == null ? 0 : last.bytes())
                                    .field("requests", f != null ? f.attempts() : last == null ? 0 : last.requests())
                                    .field("url", f == null || f.url() == null ? null : Redaction.url(f.url()))
                                    .field("error", f != null ? null : last == null ? null : last.error()));
                        }
                        if (e.metadataFile() != null) {
                            FileOutcome m = e.metadataFile();
                            a.element(x -> x.field("name", m.name()).field("role", m.role().name()).field("stored", true)
                                    .field("size", m.size()).field("requests", m.attempts())
                                    .field("url", m.url() == null ? null : Redaction.url(m.url())).nullField("error"));
                        }
                    });
                    json.field("metadata", e.metadata() == null ? null : shown(e.metadata()));
                    json.array("deliveryList", a -> {
                        for (WebhookOutcome w : e.deliveries()) {
                            a.element(x -> {
                                x.field("endpoint", w.endpoint()).field("webhookId", w.webhookId())
                                        .field("state", w.state().name()).field("statusCode", w.statusCode())
                                        .field("attempts", w.attempts()).field("error", w.error());
                                if (w.reply() == null) {
                                    x.nullField("reply");
                                } else {
                                    x.object("reply", r -> r.field("status", w.reply().status())
                                            .field("message", w.reply().message()).field("action", w.reply().action()));
                                }
                            });
                        }
                    });
                    Set<String> disabled = t.getT3();
                    json.array("endpoints", a -> {
                        for (WebhookEndpoint w : endpoints()) {
                            a.element(x -> x.field("name", w.displayName()).field("url", w.displayUrl())
                                    .field("disabled", disabled.contains(w.displayName())));
                        }
                    });
                    json.array("attemptLog", a -> {
                        for (Attempt at : attempts) {
                            a.element(x -> attempt(x, at));
                        }
                    });
                }));
    }

    Mono<String> attempts(long id) {
        return outbox.attempts(id).collectList()
                .publishOn(Schedulers.boundedElastic())
                .map(list -> JsonOut.object(json -> json.array("attempts", a -> {
                    for (Attempt at : list) {
                        a.element(x -> attempt(x, at));
                    }
                })));
    }

    static void attempt(JsonOut x, Attempt a) throws IOException {
        x.field("kind", a.kind().name()).field("target", a.target()).field("number", a.number())
                .field("startedAt", a.startedAt()).field("durationMs", a.duration().toMillis())
                .field("outcome", a.outcome().name()).field("statusCode", a.statusCode())
                .field("requests", a.requests()).field("bytes", a.bytes()).field("webhookId", a.webhookId())
                .field("answer", a.answer()).field("error", a.error());
        x.object("requestHeaders", h -> {
            for (Map.Entry<String, String> e : a.requestHeaders().entrySet()) {
                h.field(e.getKey(), e.getValue());
            }
        });
    }

    /** The metadata as sent, pretty, with every URL's query string removed (a presigned signature). */
    static String shown(RecordingMetadata m) {
        Map<String, String> files = new LinkedHashMap<>();
        m.uploadedFiles().forEach((k, v) -> files.put(k, v == null ? null : Redaction.url(v)));
        return new String(m.withUploadedFiles(files).toJson(), StandardCharsets.UTF_8);
    }

    static void result(JsonOut x, PipelineResult r) throws IOException {
        x.field("recordingId", r.recordingId()).field("status", r.status().name()).field("reason", r.reason().orElse(null));
        x.array("webhooks", a -> {
            for (WebhookOutcome w : r.webhooks()) {
                a.element(y -> y.field("endpoint", w.endpoint()).field("state", w.state().name())
                        .field("statusCode", w.statusCode()).field("attempts", w.attempts()).field("error", w.error()));
            }
        });
    }
}
