package dev.reelay.internal.pipeline;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingPipeline;
import dev.reelay.Stages;
import dev.reelay.event.PipelineEvent;
import dev.reelay.internal.EventLoops;
import dev.reelay.internal.Permits;
import dev.reelay.internal.telemetry.Span;
import dev.reelay.internal.telemetry.Telemetry;
import dev.reelay.internal.telemetry.Tracing;
import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Lease;
import dev.reelay.ReelayException;
import dev.reelay.internal.media.MediaStage;
import dev.reelay.internal.outbox.NoOutbox;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.outbox.PostgresOutbox;
import dev.reelay.internal.storage.S3ObjectStore;
import dev.reelay.internal.webhook.EndpointKeys;
import dev.reelay.internal.webhook.WebhookSender;
import dev.reelay.storage.ObjectStore;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Duration;
import java.time.Instant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The default pipeline: the host's composition of stages (by default the four), run for one
 * recording at a time under the in-flight bound, and the journal's policy around each run:
 * accepted before its stages, finished after them, on a slow schedule until complete.
 */
public final class DefaultRecordingPipeline implements RecordingPipeline {

    private static final Logger log = LoggerFactory.getLogger(RecordingPipeline.class);
    /** Events a subscriber of {@link #events()} may fall behind by before it loses the oldest. */
    private static final int DEFAULT_EVENT_BUFFER = 4096;

    private final PipelineOptions options;
    /** One set of I/O threads for the S3 client and the webhooks, made on first use. */
    private final EventLoops loops = new EventLoops();
    private final ObjectStore store;
    private final S3ObjectStore ownedStore;
    private final WebhookSender sender;
    private final MediaStage media;
    private final Outbox outbox;
    private final Outbox ownedOutbox;
    private final Permits uploads;
    private final Scheduler io = Schedulers.boundedElastic();
    private final UploadStage uploadStage;
    private final MetadataStage metadataStage;
    private final DeliverStage deliverStage;
    private final Function<Flux<RecordingJob>, Flux<RecordingJob>> stages;
    /** Ids being worked on by any subscription of this pipeline: a second one at the same time would clobber the first's journal. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Lifecycle lifecycle = new Lifecycle();
    private final Telemetry telemetry;
    private final AtomicBoolean warmedUp = new AtomicBoolean();

    public DefaultRecordingPipeline(PipelineOptions options,
                                    Function<Stages, Function<Flux<RecordingJob>, Flux<RecordingJob>>> composition) {
        this.options = options;
        this.ownedStore = options.s3().map(s3 -> new S3ObjectStore(s3, loops)).orElse(null);
        this.store = ownedStore != null ? ownedStore : options.objectStore().orElseThrow();
        this.sender = new WebhookSender(options.clock(), Math.max(4, options.recordingsInFlight() * 2),
                options.networkPolicy(), loops.forReactorNetty());
        this.uploads = new Permits(options.uploadsInFlight());
        this.media = new MediaStage(options.media(), options.fileAccess());
        OutboxOptions journal = options.outbox();
        this.ownedOutbox = !journal.enabled() || journal.outbox().isPresent() ? null
                : journal.postgres().isPresent()
                ? PostgresOutbox.builder(journal.postgres().get()).retention(journal.retention()).clock(options.clock()).build()
                : new SqliteOutbox(journal.directory(), options.clock(), journal.retention());
        this.outbox = ownedOutbox != null ? ownedOutbox : journal.outbox().orElseGet(NoOutbox::new);
        this.telemetry = new Telemetry(options.clock(), Tracing.of(options.observationRegistry().orElse(null)),
                options.uploadProgress());
        this.uploadStage = new UploadStage(options, store, uploads, io, telemetry);
        this.metadataStage = new MetadataStage(options, store, uploadStage, io, telemetry);
        this.deliverStage = new DeliverStage(options.webhooks(), sender, outbox, telemetry);
        this.stages = Objects.requireNonNull(composition.apply(this), "the composition of stages");
    }

    @Override
    public Flux<PipelineResult> process(Flux<Recording> recordings) {
        // prefetch 1: the merge holds no more finished results than the stream did without it
        return lifecycle.stream(runs -> Flux.merge(1, warmUp(), runs.taking(recordings)
                .flatMap(recording -> runs.run(recording.id(), exclusively(recording, () -> admit(recording))),
                        options.recordingsInFlight(), 1)));
    }

    /**
     * The first stream of new recordings builds the S3 and webhook clients while the journal takes the first
     * recording, instead of after it: on a cold JVM each build costs a few hundred milliseconds of class loading
     * that the first upload and the first webhook would otherwise wait for, one after the other. Once per pipeline;
     * a failure here is left for the first request to report.
     */
    private Mono<PipelineResult> warmUp() {
        if (!warmedUp.compareAndSet(false, true)) {
            return Mono.empty();
        }
        Mono<Void> s3 = ownedStore == null ? Mono.empty() : ownedStore.warmUp();
        Mono<Void> webhooks = options.webhooks().isEmpty() ? Mono.empty() : sender.warmUp();
        return Mono.when(s3, webhooks)
                .onErrorResume(e -> {
                    log.debug("Warming up the clients failed; the first request will say why: {}", e.toString());
                    return Mono.empty();
                })
                .then(Mono.empty());
    }

    @Override
    public Mono<PipelineResult> submit(Recording recording) {
        return process(Flux.just(recording)).next();
    }

    /**
     * Journals the recording (its paths made absolute, its files' version taken) and runs what the
     * journal says is left; a recording the journal cannot take ends as a result of its own. An
     * invalid recording is rejected before it is journaled: input refused is not written to disk.
     */
    private Mono<PipelineResult> admit(Recording given) {
        Optional<String> invalid = Validation.problem(given, options);
        if (invalid.isPresent()) {
            return answered(RecordingJob.of(given).reject(invalid.get()).result());
        }
        return Mono.fromCallable(() -> Versions.absolute(given))
                .subscribeOn(io)
                .flatMap(recording -> outbox.accept(recording, Versions.of(recording))
                        .onErrorMap(NotAccepted::new)
                        .flatMap(admission -> runAdmitted(admission, recording)))
                .onErrorResume(NotAccepted.class, e -> {
                    String why = "recording " + given.id() + " could not be accepted: the journal refused it ("
                            + e.getCause().getMessage() + "); nothing was done, submit it again later";
                    log.warn("{}", why);
                    telemetry.journalProblem(given.id(), "its acceptance", e.getCause().getMessage());
                    return answered(PipelineResult.notAccepted(given, why));
                });
    }

    /** What the journal admitted, of a recording it already holds: run from where it stands, or answered at once. */
    private Mono<PipelineResult> runAdmitted(Admission admission) {
        return runAdmitted(admission, admission.entry().recording());
    }

    /**
     * What the journal admitted: run from where it stands, or answered at once. The run takes the
     * recording as given ({@code recording}), not as read back from the journal.
     */
    private Mono<PipelineResult> runAdmitted(Admission admission, Recording recording) {
        OutboxEntry entry = admission.entry();
        switch (admission.kind()) {
            case STARTED:
            case CONTINUED:
                return run(jobOf(entry, recording), admission.lease(), entry.attempts(), entry.acceptedAt(),
                        admission.kind() == Admission.Kind.CONTINUED);
            case COMPLETED:
                log.debug("Recording {} is complete in the journal already; nothing to do", entry.id());
                return answered(jobOf(entry, recording).result());
            default:
                return answered(duplicate(entry.recording(), entry.holder()));
        }
    }

    /** Runs the work unless the same recording id is already under way here, which is refused. */
    private Mono<PipelineResult> exclusively(Recording recording, Supplier<Mono<PipelineResult>> work) {
        return Mono.defer(() -> {
            long id = recording.id();
            if (!inFlight.add(id)) {
                return answered(duplicate(recording, null));
            }
            // free again before the result is passed on: whoever reacts to it may submit the id anew
            return work.get().doOnNext(r -> inFlight.remove(id)).doFinally(s -> inFlight.remove(id));
        });
    }

    /** A result given without a run, as the watchers hear of it. */
    private Mono<PipelineResult> answered(PipelineResult result) {
        return Mono.fromSupplier(() -> {
            telemetry.answered(result);
            return result;
        });
    }

    /** The result of a run whose recording another instance took over meanwhile: that instance finishes it. */
    private static PipelineResult takenOver(Recording recording, Lease lease) {
        log.warn("Recording {} was taken over by another instance after the lease of {} expired; this run stops "
                + "and leaves it to that instance", recording.id(), lease.owner());
        return duplicate(recording, "another instance, which took it over after the lease of " + lease.owner()
                + " expired");
    }

    private static PipelineResult duplicate(Recording recording, String holder) {
        return RecordingJob.of(recording).reject("recording " + recording.id() + ": recording_id is already being "
                + "processed" + (holder == null ? " (a duplicate in flight)" : " by " + holder)
                + "; not accepted again").result();
    }

    @Override
    public Flux<PipelineResult> resume() {
        return media.sweepWorkFiles().thenMany(lifecycle.stream(runs -> runs.taking(outbox.claimUnfinished())
                .flatMap(a -> runs.run(a.entry().id(), exclusively(a.entry().recording(), () -> runAdmitted(a))),
                        options.recordingsInFlight(), 1)));
    }

    @Override
    public Flux<OutboxEntry> pending() {
        return outbox.pending();
    }

    @Override
    public Mono<PipelineResult> retry(long recordingId) {
        return outbox.claim(recordingId)
                .switchIfEmpty(Mono.error(() -> new ReelayException("recording " + recordingId
                        + " is not in the outbox (never accepted, or pruned after completion)")))
                .flatMap(a -> lifecycle.one(recordingId, a.lease() == null ? runAdmitted(a)
                        : exclusively(a.entry().recording(), () -> runAdmitted(a))));
    }

    @Override
    public Flux<PipelineResult> retryDue() {
        return lifecycle.stream(runs -> runs.taking(outbox.claimDue(options.clock().instant()))
                .flatMap(a -> runs.run(a.entry().id(), exclusively(a.entry().recording(), () -> runAdmitted(a))),
                        options.recordingsInFlight(), 1));
    }

    @Override
    public Mono<PipelineResult> resend(long recordingId, String endpoint) {
        return Mono.defer(() -> {
            String key = EndpointKeys.of(options.webhooks(), endpoint);
            if (options.webhooks().stream().noneMatch(e -> e.displayName().equals(key))) {
                return Mono.error(new ReelayException("no endpoint " + key + " in this pipeline; its endpoints are "
                        + options.webhooks().stream().map(WebhookEndpoint::displayName).toList()));
            }
            return outbox.claim(recordingId)
                    .switchIfEmpty(Mono.error(() -> new ReelayException("recording " + recordingId
                            + " is not in the outbox (never accepted, or pruned after completion)")))
                    .flatMap(a -> lifecycle.one(recordingId, a.lease() == null ? runAdmitted(a)
                            : exclusively(a.entry().recording(), () -> runAdmitted(forgetting(a, key)))));
        });
    }

    /** The admission with one endpoint's delivery forgotten, so that the deliver stage sends to it again. */
    private static Admission forgetting(Admission a, String endpoint) {
        OutboxEntry e = a.entry();
        List<WebhookOutcome> kept = e.deliveries().stream().filter(d -> !d.endpoint().equals(endpoint)).toList();
        return new Admission(a.kind(), new OutboxEntry(e.recording(), e.version(), e.state(), e.reason(), e.attempts(),
                e.acceptedAt(), e.updatedAt(), e.nextAttemptAt(), e.holder(), e.files(), e.uploads(), e.metadata(),
                e.metadataFile(), kept, e.lastResult()), a.lease());
    }

    @Override
    public PipelineOptions options() {
        return options;
    }

    @Override
    public Mono<Void> enableEndpoint(String url) {
        return Mono.fromCallable(() -> EndpointKeys.of(options.webhooks(), url))
                .flatMap(endpoint -> outbox.enableEndpoint(endpoint)
                        .doOnSuccess(v -> telemetry.endpointEnabled(endpoint)));
    }

    @Override
    public Flux<PipelineEvent> events() {
        return events(DEFAULT_EVENT_BUFFER);
    }

    @Override
    public Flux<PipelineEvent> events(int bufferSize) {
        return telemetry.hub().events(bufferSize);
    }

    /** Events dropped so far over all subscribers of {@link #events()}, for the metrics. */
    public long droppedEvents() {
        return telemetry.hub().dropped();
    }

    @Override
    public Outbox outbox() {
        return outbox;
    }

    /** A journaled recording as a job that knows what was already done; its files in the recording's order. */
    private static RecordingJob jobOf(OutboxEntry entry, Recording recording) {
        List<String> order = recording.files().stream().map(f -> f == null ? null : f.name()).toList();
        List<FileOutcome> files = entry.files().stream()
                .sorted(Comparator.comparingInt((FileOutcome f) -> order.contains(f.name()) ? order.indexOf(f.name())
                        : order.size()).thenComparing(FileOutcome::name))
                .toList();
        RecordingJob job = RecordingJob.of(recording).withUploads(files).withWebhooks(entry.deliveries())
                .withResumableUploads(entry.uploads());
        return entry.metadata() == null ? job : job.withMetadata(entry.metadata(), entry.metadataFile());
    }

    /**
     * One run of the stages for one recording, its journal writes going to its lease, ending in
     * the outbox; the work files its stages made are deleted when it ends, however it ends.
     */
    private Mono<PipelineResult> run(RecordingJob job, Lease lease, int attempt, Instant acceptedAt, boolean resumed) {
        return Mono.deferContextual(ctx -> {
            Telemetry.RunWatch watch = telemetry.runStarted(ctx, job.id(), resumed, attempt, job.files().size());
            return Mono.usingWhen(Mono.fromSupplier(() -> new Journaling.Run(outbox, lease)),
                            run -> Flux.just(job)
                                    .transform(stages)
                                    .next()
                                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("a stage dropped the recording")))
                                    .onErrorResume(e -> Mono.just(unexpected(job.recording(), e)))
                                    .flatMap(done -> run.leaseLost().get() ? Mono.just(takenOver(job.recording(), lease))
                                            : finish(done.result(), lease, attempt, acceptedAt))
                                    .contextWrite(Journaling.context(run))
                                    .contextWrite(watch::into),
                            this::deleteWorkFiles,
                            (run, e) -> deleteWorkFiles(run),
                            this::deleteWorkFiles)
                    .doOnNext(watch::finished)
                    .doOnError(e -> watch.interrupted())
                    .doOnCancel(watch::interrupted);
        });
    }

    /**
     * Done when complete, rejected when invalid; otherwise due again on the slow schedule, until
     * the give-up age.
     */
    private Mono<PipelineResult> finish(PipelineResult result, Lease lease, int attempt, Instant acceptedAt) {
        OutboxOptions journal = options.outbox();
        Instant now = options.clock().instant();
        OutboxEntry.State state;
        Instant next = null;
        if (result.status() == PipelineResult.Status.COMPLETED) {
            state = OutboxEntry.State.DONE;
        } else if (result.status() == PipelineResult.Status.REJECTED) {
            state = OutboxEntry.State.REJECTED;
        } else if (journal.enabled() && now.isAfter(acceptedAt.plus(journal.giveUpAfter()))) {
            state = OutboxEntry.State.GAVE_UP;
        } else {
            boolean parked = result.status() == PipelineResult.Status.WEBHOOK_FAILED
                    && result.webhooks().stream().allMatch(w -> w.delivered() || w.state() == WebhookOutcome.State.PARKED);
            state = parked ? OutboxEntry.State.PARKED : OutboxEntry.State.PENDING;
            List<Duration> schedule = journal.retrySchedule();
            next = schedule.isEmpty() ? null : now.plus(schedule.get(Math.min(attempt, schedule.size()) - 1));
        }
        return Journaling.logged(outbox.finish(lease, result, state, next), result.recordingId(), "its end")
                .thenReturn(result);
    }

    private Mono<Void> deleteWorkFiles(Journaling.Run run) {
        return run.workFiles().isEmpty() ? Mono.empty()
                : Mono.<Void>fromRunnable(() -> run.workFiles().forEach(DefaultRecordingPipeline::delete)).subscribeOn(io);
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Work file {} could not be deleted: {}", file, e.toString());
        }
    }

    /** A fault of ours, or of a host's stage, must not end the stream: the recording ends as a result saying so. */
    private RecordingJob unexpected(Recording recording, Throwable e) {
        log.error("Recording {} failed unexpectedly", recording.id(), e);
        return RecordingJob.of(recording).withUploads(List.of())
                .withWarning("recording " + recording.id() + ": unexpected failure: " + e);
    }

    /** The journal did not take the recording. */
    private static final class NotAccepted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAccepted(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> prepare() {
        return jobs -> jobs
                .map(job -> job.rejected() ? job
                        : Validation.problem(job.recording(), options)
                        .map(job::reject)
                        .orElse(job))
                .flatMap(job -> traced(job).flatMap(j -> Journaling.workFiles(j.workFiles()).thenReturn(j)),
                        options.recordingsInFlight(), 1);
    }

    /** The media work of a job, as a child of its recording's trace when it does anything. */
    private Mono<RecordingJob> traced(RecordingJob job) {
        if (job.rejected() || !options.media().enabled()
                || job.files().stream().noneMatch(f -> f != null && f.role() == FileRole.VIDEO)) {
            return media.prepare(job);
        }
        return Mono.deferContextual(ctx -> {
            Span span = telemetry.media(ctx, job.id());
            int warningsBefore = job.warnings().size();
            return media.prepare(job)
                    .doOnNext(j -> span.tag("reelay.outcome", j.warnings().size() > warningsBefore ? "warning" : "done"))
                    .doOnError(span::error)
                    .doFinally(signal -> span.end());
        });
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> upload() {
        return jobs -> jobs.flatMap(job -> job.rejected() ? Mono.just(job) : uploadStage.upload(job),
                options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> metadata() {
        return jobs -> jobs.flatMap(job -> MetadataStage.applies(job) ? metadataStage.store(job) : Mono.just(job),
                options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> deliver() {
        return jobs -> jobs.flatMap(job -> deliverStage.applies(job) ? deliverStage.deliver(job) : Mono.just(job),
                options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> stages() {
        return stages;
    }

    @Override
    public void close() {
        close(options.closeGracePeriod());
    }

    @Override
    public void close(Duration gracePeriod) {
        if (!lifecycle.close(gracePeriod)) {
            return;
        }
        // the clients first, then the loops they ran on: shut down without the SDK's 2 s quiet period
        if (ownedStore != null) {
            ownedStore.close();
        }
        sender.close();
        loops.close();
        media.close();
        if (ownedOutbox != null) {
            ownedOutbox.close();
        }
        telemetry.close();
    }
}
