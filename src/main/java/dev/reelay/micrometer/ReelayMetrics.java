package dev.reelay.micrometer;

import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.event.EndpointDisabled;
import dev.reelay.event.EndpointEnabled;
import dev.reelay.event.EventsDropped;
import dev.reelay.event.JournalProblem;
import dev.reelay.event.PipelineEvent;
import dev.reelay.event.RecordingAccepted;
import dev.reelay.event.RecordingFinished;
import dev.reelay.event.RecordingInterrupted;
import dev.reelay.event.RecordingResumed;
import dev.reelay.event.UploadFailed;
import dev.reelay.event.UploadStarted;
import dev.reelay.event.UploadStored;
import dev.reelay.event.WebhookAttempted;
import dev.reelay.event.WebhookFinished;
import dev.reelay.internal.pipeline.DefaultRecordingPipeline;
import dev.reelay.internal.telemetry.Telemetry;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The meters of a {@link RecordingPipeline}, for a Micrometer {@link MeterRegistry}: what is
 * happening now (recordings and uploads in flight, the journal's backlog and the age of its oldest
 * entry), how it is going over time (recordings by status, uploads and webhook attempts timed by
 * outcome, bytes, retries), and what the watchers missed. They are made from
 * {@link RecordingPipeline#events()} and, every so often, from {@code outbox().stats()}.
 *
 * <pre>{@code
 * RecordingPipeline pipeline = RecordingPipeline.create(options);
 * ReelayMetrics.of(pipeline).bindTo(registry);                 // e.g. a PrometheusMeterRegistry
 *
 * ReelayMetrics.builder(pipeline)                              // or with settings
 *         .tags(Tags.of("pipeline", "uploads-eu"))
 *         .percentileHistogram(true)                           // for histogram_quantile() over webhook latency
 *         .build()
 *         .bindTo(registry);
 * }</pre>
 *
 * <p>Bind it before work starts: the gauges of what is in flight count what started after. The
 * meters keep working until the pipeline is closed (or {@link #close()}); the README lists them all.
 * Tags are of few values: statuses, outcomes, file roles, and an endpoint's name (or its URL's host
 * when it has none), never a recording id or a URL. In a fleet sharing one PostgreSQL journal, every
 * instance reports the same journal gauges: aggregate them with {@code max}, not {@code sum}.
 */
public final class ReelayMetrics implements MeterBinder, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.metrics");
    /** Room for events the meters have not yet taken: they take them at once, so this only absorbs bursts. */
    private static final int EVENT_BUFFER = 65_536;
    private static final List<String> ROLES = java.util.Arrays.stream(FileRole.values()).map(ReelayMetrics::lower).toList();

    private final RecordingPipeline pipeline;
    private final Tags tags;
    private final Duration journalPollInterval;
    private final boolean percentileHistogram;
    private final List<Disposable> bindings = new CopyOnWriteArrayList<>();

    private ReelayMetrics(Builder b) {
        this.pipeline = b.pipeline;
        this.tags = b.tags;
        this.journalPollInterval = b.journalPollInterval;
        this.percentileHistogram = b.percentileHistogram;
    }

    /** The meters of {@code pipeline}, with the defaults. */
    public static ReelayMetrics of(RecordingPipeline pipeline) {
        return builder(pipeline).build();
    }

    public static Builder builder(RecordingPipeline pipeline) {
        return new Builder(pipeline);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Binding binding = new Binding(registry);
        bindings.add(binding.start());
    }

    /** Stops updating the meters (they stay registered, as they were). */
    @Override
    public void close() {
        bindings.forEach(Disposable::dispose);
        bindings.clear();
    }

    /** The meters in one registry, and what feeds them. */
    private final class Binding {
        private final MeterRegistry registry;
        private final Map<List<String>, Meter> meters = new ConcurrentHashMap<>();
        private final Set<Long> recordingsActive = ConcurrentHashMap.newKeySet();
        private final Set<String> uploadsActive = ConcurrentHashMap.newKeySet();
        private final AtomicReference<OutboxStats> journal = new AtomicReference<>(OutboxStats.empty());
        private final AtomicLong disabledEndpoints = new AtomicLong();
        private final AtomicLong ownDrops = new AtomicLong();
        private final AtomicBoolean journalChanged = new AtomicBoolean(true);
        private volatile long journalReadAt;

        Binding(MeterRegistry registry) {
            this.registry = registry;
        }

        Disposable start() {
            // strong references: the registry keeps what the gauges read, whoever else lets go of it
            Gauge.builder("reelay.recordings.active", recordingsActive, Set::size).tags(tags).strongReference(true)
                    .description("Recordings whose run is under way").register(registry);
            Gauge.builder("reelay.uploads.active", uploadsActive, Set::size).tags(tags).strongReference(true)
                    .description("File uploads under way (each holds one of uploadsInFlight)").register(registry);
            for (OutboxEntry.State state : List.of(OutboxEntry.State.IN_PROGRESS, OutboxEntry.State.PENDING,
                    OutboxEntry.State.PARKED, OutboxEntry.State.GAVE_UP)) {
                Gauge.builder("reelay.journal.backlog", journal, j -> j.get().count(state))
                        .tags(tags).tag("state", lower(state)).strongReference(true)
                        .description("Journal entries not done, by state").register(registry);
            }
            TimeGauge.builder("reelay.journal.backlog.age", journal, TimeUnit.SECONDS, j -> j.get()
                            .oldestWaitingAge(Instant.ofEpochMilli(registry.config().clock().wallTime()))
                            .map(d -> d.toMillis() / 1000.0).orElse(0.0))
                    .tags(tags).strongReference(true)
                    .description("How long the oldest journal entry still to be done (in progress, pending or parked) has waited")
                    .register(registry);
            Gauge.builder("reelay.webhook.endpoints.disabled", disabledEndpoints, AtomicLong::get).tags(tags)
                    .strongReference(true)
                    .description("Endpoints disabled after they answered 410").register(registry);
            if (pipeline instanceof DefaultRecordingPipeline p) {
                FunctionCounter.builder("reelay.events.dropped", p, DefaultRecordingPipeline::droppedEvents).tags(tags)
                        .description("Events lost by subscribers of events() that fell behind").register(registry);
            } else {
                FunctionCounter.builder("reelay.events.dropped", ownDrops, AtomicLong::get).tags(tags)
                        .description("Events these meters lost by falling behind").register(registry);
            }
            for (PipelineResult.Status status : PipelineResult.Status.values()) {
                counter("reelay.recordings", "status", lower(status));
            }
            counter("reelay.journal.problems");
            for (String role : ROLES) {
                counter("reelay.upload.bytes", "role", role);
                counter("reelay.upload.attempts", "role", role);
                counter("reelay.upload.retries", "role", role);
            }

            Sinks.Empty<Void> ended = Sinks.empty();
            Disposable events = pipeline.events(EVENT_BUFFER).subscribe(this::record,
                    e -> ended.tryEmitEmpty(), ended::tryEmitEmpty);
            long tickMillis = Math.min(1000, journalPollInterval.toMillis());
            Disposable polling = Flux.interval(Duration.ZERO, Duration.ofMillis(tickMillis))
                    .onBackpressureDrop()
                    .concatMap(t -> journalDue() ? Mono.defer(this::readJournal) : Mono.empty(), 1)
                    .takeUntilOther(ended.asMono())
                    .subscribe(null, e -> log.warn("Reelay's journal gauges stopped: {}", e.toString()));
            return () -> {
                events.dispose();
                polling.dispose();
            };
        }

        /** The journal is read at most every second, when the pipeline changed it, and every poll interval anyway. */
        private boolean journalDue() {
            return journalChanged.get() || System.nanoTime() - journalReadAt >= journalPollInterval.toNanos();
        }

        private Mono<Void> readJournal() {
            journalChanged.set(false);
            journalReadAt = System.nanoTime();
            return pipeline.outbox().stats()
                    .doOnNext(journal::set)
                    .then(pipeline.outbox().disabledEndpoints().doOnNext(d -> disabledEndpoints.set(d.size())))
                    .then()
                    .timeout(journalPollInterval) // a read that hangs must not stop the gauges for good
                    .onErrorResume(e -> {
                        journalChanged.set(true); // read again at the next tick, not a poll interval later
                        log.debug("The journal's statistics could not be read: {}", e.toString());
                        return Mono.empty();
                    });
        }

        private void record(PipelineEvent event) {
            if (event instanceof RecordingAccepted a) {
                recordingsActive.add(a.recordingId());
                journalChanged.set(true);
            } else if (event instanceof RecordingResumed r) {
                recordingsActive.add(r.recordingId());
                journalChanged.set(true);
            } else if (event instanceof RecordingFinished f) {
                counter("reelay.recordings", "status", lower(f.status())).increment();
                if (f.ran()) {
                    recordingsActive.remove(f.recordingId());
                    timer("reelay.recording.duration", "Runs of recordings, from their start to their end",
                            "status", lower(f.status())).record(f.duration());
                }
                journalChanged.set(true);
            } else if (event instanceof RecordingInterrupted i) {
                recordingsActive.remove(i.recordingId());
                uploadsActive.removeIf(key -> key.startsWith(i.recordingId() + "/"));
                journalChanged.set(true);
            } else if (event instanceof UploadStarted s) {
                uploadsActive.add(s.recordingId() + "/" + s.fileName());
            } else if (event instanceof UploadStored s) {
                uploadsActive.remove(s.recordingId() + "/" + s.fileName());
                String role = lower(s.role());
                timer("reelay.uploads", "File uploads, from their upload slot to the store's answer", "role", role,
                        "outcome", "stored").record(s.duration());
                counter("reelay.upload.bytes", "role", role).increment(s.bytes());
                attempts(role, s.attempts());
            } else if (event instanceof UploadFailed f) {
                uploadsActive.remove(f.recordingId() + "/" + f.fileName());
                String role = lower(f.role());
                timer("reelay.uploads", "File uploads, from their upload slot to the store's answer", "role", role,
                        "outcome", "failed").record(f.duration());
                attempts(role, f.attempts());
            } else if (event instanceof WebhookAttempted a) {
                timer("reelay.webhook.attempts", "Webhook requests, from their start to the receiver's answer or failure",
                        "endpoint", Telemetry.endpointTag(a.endpoint()), "outcome", a.outcome()).record(a.duration());
            } else if (event instanceof WebhookFinished f) {
                counter("reelay.webhook.deliveries", "endpoint", Telemetry.endpointTag(f.endpoint()),
                        "state", lower(f.outcome().state())).increment();
            } else if (event instanceof JournalProblem) {
                counter("reelay.journal.problems").increment();
            } else if (event instanceof EventsDropped d) {
                ownDrops.addAndGet(d.count());
            } else if (event instanceof EndpointDisabled || event instanceof EndpointEnabled) {
                journalChanged.set(true);
            }
        }

        private void attempts(String role, int attempts) {
            counter("reelay.upload.attempts", "role", role).increment(attempts);
            counter("reelay.upload.retries", "role", role).increment(Math.max(0, attempts - 1));
        }

        private Counter counter(String name, String... tagPairs) {
            return (Counter) meters.computeIfAbsent(key(name, tagPairs), k -> Counter.builder(name)
                    .tags(tags).tags(tagPairs).description(DESCRIPTIONS.get(name))
                    .baseUnit(name.endsWith(".bytes") ? "bytes" : null)
                    .register(registry));
        }

        private Timer timer(String name, String description, String... tagPairs) {
            return (Timer) meters.computeIfAbsent(key(name, tagPairs), k -> Timer.builder(name)
                    .tags(tags).tags(tagPairs).description(description)
                    .publishPercentileHistogram(percentileHistogram)
                    .register(registry));
        }

        private List<String> key(String name, String... tagPairs) {
            String[] key = new String[tagPairs.length + 1];
            key[0] = name;
            System.arraycopy(tagPairs, 0, key, 1, tagPairs.length);
            return List.of(key);
        }
    }

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "reelay.recordings", "Recordings that ended, by their result's status",
            "reelay.journal.problems", "Journal writes that failed or were refused",
            "reelay.upload.bytes", "Bytes of files stored",
            "reelay.upload.attempts", "Attempts of file uploads (for a file in parts: its part that needed the most)",
            "reelay.upload.retries", "Attempts of file uploads after the first",
            "reelay.webhook.deliveries", "Webhook deliveries that ended, by how");

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Settings of the meters. */
    public static final class Builder {
        private final RecordingPipeline pipeline;
        private Tags tags = Tags.empty();
        private Duration journalPollInterval = Duration.ofSeconds(10);
        private boolean percentileHistogram;

        private Builder(RecordingPipeline pipeline) {
            this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        }

        /** Tags on every meter, e.g. {@code Tags.of("pipeline", "uploads-eu")} for several pipelines in one registry. */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = Tags.of(tags);
            return this;
        }

        /**
         * How often the journal's backlog is read when the pipeline changed nothing in it (another
         * instance may have). Default 10 s; after a change it is read within a second.
         */
        public Builder journalPollInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("journalPollInterval must be positive, was " + interval);
            }
            this.journalPollInterval = interval;
            return this;
        }

        /**
         * Publishes histogram buckets of the timers ({@code reelay.webhook.attempts},
         * {@code reelay.uploads}, {@code reelay.recording.duration}), for percentiles across instances
         * (Prometheus' {@code histogram_quantile}). Default off: a registry's {@code MeterFilter} can
         * turn it on for one meter too.
         */
        public Builder percentileHistogram(boolean on) {
            this.percentileHistogram = on;
            return this;
        }

        public ReelayMetrics build() {
            return new ReelayMetrics(this);
        }
    }

}
