package dev.reelay.internal.pipeline;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingPipeline;
import dev.reelay.ReelayException;
import dev.reelay.internal.Permits;
import dev.reelay.internal.media.MediaStage;
import dev.reelay.internal.outbox.NoOutbox;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.internal.storage.S3ObjectStore;
import dev.reelay.internal.webhook.Redaction;
import dev.reelay.internal.webhook.WebhookSender;
import dev.reelay.storage.ObjectStore;
import dev.reelay.webhook.WebhookOutcome;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The default pipeline: the four stages, composed per recording under the in-flight bound. */
public final class DefaultRecordingPipeline implements RecordingPipeline {

    private static final Logger log = LoggerFactory.getLogger(RecordingPipeline.class);

    private final PipelineOptions options;
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

    public DefaultRecordingPipeline(PipelineOptions options) {
        this.options = options;
        this.ownedStore = options.s3().map(S3ObjectStore::new).orElse(null);
        this.store = ownedStore != null ? ownedStore : options.objectStore().orElseThrow();
        this.sender = new WebhookSender(options.clock(), Math.max(4, options.recordingsInFlight() * 2));
        this.uploads = new Permits(options.uploadsInFlight());
        this.media = new MediaStage(options.media());
        OutboxOptions journal = options.outbox();
        this.ownedOutbox = journal.enabled() && journal.outbox().isEmpty()
                ? new SqliteOutbox(journal.directory(), options.clock(), journal.retention()) : null;
        this.outbox = ownedOutbox != null ? ownedOutbox : journal.outbox().orElseGet(NoOutbox::new);
        this.uploadStage = new UploadStage(options, store, outbox, uploads, io);
        this.metadataStage = new MetadataStage(options, store, outbox, uploads, uploadStage, io);
        this.deliverStage = new DeliverStage(options.webhooks(), sender, outbox);
        this.stages = prepare().andThen(upload()).andThen(metadata()).andThen(deliver());
    }

    @Override
    public Flux<PipelineResult> process(Flux<Recording> recordings) {
        return lifecycle.stream(runs -> runs.taking(recordings).flatMap(recording -> runs.run(recording.id(),
                        exclusively(recording, () -> outbox.accept(recording)
                        .onErrorMap(e -> new ReelayException("recording " + recording.id()
                                + " could not be accepted: " + e.getMessage(), e))
                        .then(Mono.defer(() -> run(RecordingJob.of(recording), 1, options.clock().instant()))))),
                options.recordingsInFlight(), 1));
    }

    /** Runs the work unless the same recording id is already under way here, which is refused. */
    private Mono<PipelineResult> exclusively(Recording recording, Supplier<Mono<PipelineResult>> work) {
        return Mono.defer(() -> {
            long id = recording.id();
            if (!inFlight.add(id)) {
                return Mono.just(RecordingJob.of(recording).reject("recording " + id
                        + ": recording_id is already being processed (a duplicate in flight); not accepted again").result());
            }
            // free again before the result is passed on: whoever reacts to it may submit the id anew
            return work.get().doOnNext(r -> inFlight.remove(id)).doFinally(s -> inFlight.remove(id));
        });
    }

    @Override
    public Mono<PipelineResult> submit(Recording recording) {
        return process(Flux.just(recording)).next();
    }

    @Override
    public Flux<PipelineResult> resume() {
        return media.sweepWorkFiles().thenMany(lifecycle.stream(runs -> runs.taking(outbox.unfinished())
                .flatMap(entry -> runs.run(entry.id(), exclusively(entry.recording(),
                        () -> run(jobOf(entry), entry.attempts(), entry.acceptedAt()))), options.recordingsInFlight(), 1)));
    }

    @Override
    public Flux<OutboxEntry> pending() {
        return outbox.pending();
    }

    @Override
    public Mono<PipelineResult> retry(long recordingId) {
        return outbox.entry(recordingId)
                .switchIfEmpty(Mono.error(() -> new ReelayException("recording " + recordingId
                        + " is not in the outbox (never accepted, or pruned after completion)")))
                .flatMap(entry -> lifecycle.one(recordingId, rerun(entry)));
    }

    @Override
    public Flux<PipelineResult> retryDue() {
        return lifecycle.stream(runs -> runs.taking(outbox.due(options.clock().instant()))
                .flatMap(entry -> runs.run(entry.id(), rerun(entry)), options.recordingsInFlight(), 1));
    }

    private Mono<PipelineResult> rerun(OutboxEntry entry) {
        return exclusively(entry.recording(), () -> outbox.retrying(entry.id())
                .then(Mono.defer(() -> run(jobOf(entry), entry.attempts() + 1, entry.acceptedAt()))));
    }

    @Override
    public Mono<Void> enableEndpoint(String url) {
        return Mono.fromCallable(() -> Redaction.url(URI.create(url.trim()))).flatMap(outbox::enableEndpoint);
    }

    @Override
    public Outbox outbox() {
        return outbox;
    }

    /** A journaled recording as a job that knows what was already done. */
    private static RecordingJob jobOf(OutboxEntry entry) {
        RecordingJob job = RecordingJob.of(entry.recording()).withUploads(entry.files()).withWebhooks(entry.deliveries());
        return entry.metadata() == null ? job : job.withMetadata(entry.metadata(), entry.metadataFile());
    }

    /** One run of the stages for one recording, ending in the outbox. */
    private Mono<PipelineResult> run(RecordingJob job, int attempt, Instant acceptedAt) {
        return Flux.just(job)
                .transform(stages)
                .next()
                .onErrorResume(e -> Mono.just(unexpected(job.recording(), e)))
                .flatMap(done -> finish(done.result(), attempt, acceptedAt));
    }

    /** Done when complete or rejected; otherwise due again on the slow schedule, until the give-up age. */
    private Mono<PipelineResult> finish(PipelineResult result, int attempt, Instant acceptedAt) {
        OutboxOptions journal = options.outbox();
        Instant now = options.clock().instant();
        OutboxEntry.State state;
        Instant next = null;
        if (result.status() == PipelineResult.Status.COMPLETED || result.status() == PipelineResult.Status.REJECTED) {
            state = OutboxEntry.State.DONE;
        } else if (journal.enabled() && now.isAfter(acceptedAt.plus(journal.giveUpAfter()))) {
            state = OutboxEntry.State.GAVE_UP;
        } else {
            boolean parked = result.status() == PipelineResult.Status.WEBHOOK_FAILED
                    && result.webhooks().stream().allMatch(w -> w.delivered() || w.state() == WebhookOutcome.State.PARKED);
            state = parked ? OutboxEntry.State.PARKED : OutboxEntry.State.PENDING;
            List<Duration> schedule = journal.retrySchedule();
            next = schedule.isEmpty() ? null : now.plus(schedule.get(Math.min(attempt, schedule.size()) - 1));
        }
        return Journaling.logged(outbox.finish(result, state, next), result.recordingId(), "its end").thenReturn(result);
    }

    /** A fault of ours must not end the stream: the recording ends as a result saying so. */
    private RecordingJob unexpected(Recording recording, Throwable e) {
        log.error("Recording {} failed unexpectedly", recording.id(), e);
        return RecordingJob.of(recording).withUploads(List.of())
                .withWarning("recording " + recording.id() + ": unexpected failure: " + e);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> prepare() {
        return jobs -> jobs
                .map(job -> job.rejected() ? job
                        : Validation.problem(job.recording(), options.keyLayout(), options.metadataFileName())
                        .map(job::reject)
                        .orElse(job))
                .flatMap(media::prepare, options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> upload() {
        // Work files (a thumbnail we made) are of no use once uploaded: deleted however the upload ends.
        return jobs -> jobs.flatMap(job -> job.rejected() ? Mono.just(job)
                        : Mono.usingWhen(Mono.just(job), uploadStage::upload, media::cleanup,
                        (j, e) -> media.cleanup(j), media::cleanup),
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
        if (ownedStore != null) {
            ownedStore.close();
        }
        sender.close();
        media.close();
        if (ownedOutbox != null) {
            ownedOutbox.close();
        }
    }
}
