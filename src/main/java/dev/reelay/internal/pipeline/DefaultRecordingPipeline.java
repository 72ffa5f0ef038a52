package dev.reelay.internal.pipeline;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingMetadata;
import dev.reelay.RecordingPipeline;
import dev.reelay.UploadProgress;
import dev.reelay.ReelayException;
import dev.reelay.internal.media.MediaStage;
import dev.reelay.internal.outbox.NoOutbox;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.internal.storage.S3ObjectStore;
import dev.reelay.internal.LocalFiles;
import dev.reelay.internal.webhook.EndpointKeys;
import dev.reelay.internal.webhook.Signatures;
import dev.reelay.internal.webhook.WebhookSender;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectStoreException;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.math.BigDecimal;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
    private final Function<Flux<RecordingJob>, Flux<RecordingJob>> stages;
    /** Ids being worked on by any subscription of this pipeline: a second one at the same time would clobber the first's journal. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    public DefaultRecordingPipeline(PipelineOptions options) {
        this.options = options;
        this.ownedStore = options.s3().map(S3ObjectStore::new).orElse(null);
        this.store = ownedStore != null ? ownedStore : options.objectStore().orElseThrow();
        this.sender = new WebhookSender(options.clock(), Math.max(4, options.recordingsInFlight() * 2),
                options.networkPolicy());
        this.uploads = new Permits(options.uploadsInFlight());
        this.media = new MediaStage(options.media(), options.fileAccess());
        OutboxOptions journal = options.outbox();
        this.ownedOutbox = journal.enabled() && journal.outbox().isEmpty()
                ? new SqliteOutbox(journal.directory(), options.clock(), journal.retention()) : null;
        this.outbox = ownedOutbox != null ? ownedOutbox : journal.outbox().orElseGet(NoOutbox::new);
        this.stages = prepare().andThen(upload()).andThen(metadata()).andThen(deliver());
    }

    @Override
    public Flux<PipelineResult> process(Flux<Recording> recordings) {
        return recordings.flatMap(recording -> exclusively(recording, () -> outbox.accept(recording)
                        .onErrorMap(e -> new ReelayException("recording " + recording.id()
                                + " could not be accepted: " + e.getMessage(), e))
                        .then(Mono.defer(() -> run(RecordingJob.of(recording), 1, options.clock().instant())))),
                options.recordingsInFlight(), 1);
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
        return outbox.unfinished()
                .flatMap(entry -> exclusively(entry.recording(),
                        () -> run(jobOf(entry), entry.attempts(), entry.acceptedAt())), options.recordingsInFlight(), 1);
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
                .flatMap(this::rerun);
    }

    @Override
    public Flux<PipelineResult> retryDue() {
        return outbox.due(options.clock().instant()).flatMap(this::rerun, options.recordingsInFlight(), 1);
    }

    private Mono<PipelineResult> rerun(OutboxEntry entry) {
        return exclusively(entry.recording(), () -> outbox.retrying(entry.id())
                .then(Mono.defer(() -> run(jobOf(entry), entry.attempts() + 1, entry.acceptedAt()))));
    }

    @Override
    public Mono<Void> enableEndpoint(String url) {
        return Mono.fromCallable(() -> EndpointKeys.of(options.webhooks(), url)).flatMap(outbox::enableEndpoint);
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
        return journal(outbox.finish(result, state, next), result.recordingId(), "its end").thenReturn(result);
    }

    /**
     * A journal write after the accept: if it fails, the work is done all the same and a resume
     * would only redo it, so it is logged, not failed.
     */
    private static Mono<Void> journal(Mono<Void> write, long recordingId, String what) {
        return write.onErrorResume(e -> {
            log.warn("The outbox could not record {} of recording {}: {}", what, recordingId, e.getMessage());
            return Mono.empty();
        });
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
                        : Validation.problem(job.recording(), options)
                        .map(job::reject)
                        .orElse(job))
                .flatMap(media::prepare, options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> upload() {
        // Work files (a thumbnail we made) are of no use once uploaded: deleted however the upload ends.
        return jobs -> jobs.flatMap(job -> job.rejected() ? Mono.just(job)
                        : Mono.usingWhen(Mono.just(job), this::uploadFiles, media::cleanup,
                        (j, e) -> media.cleanup(j), media::cleanup),
                options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> metadata() {
        return jobs -> jobs.flatMap(job -> job.rejected() || job.storedFiles().isEmpty() || metadataUpToDate(job)
                ? Mono.just(job) : storeMetadata(job), options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> deliver() {
        return jobs -> jobs.flatMap(job -> job.rejected() || job.metadata().isEmpty() || options.webhooks().isEmpty()
                ? Mono.just(job) : deliverWebhooks(job), options.recordingsInFlight(), 1);
    }

    @Override
    public Function<Flux<RecordingJob>, Flux<RecordingJob>> stages() {
        return stages;
    }

    // ---- upload

    /**
     * Uploads every file the job does not already have stored; a file the journal says is stored
     * is confirmed with a HEAD (same size) and uploaded again only if the store disagrees.
     */
    private Mono<RecordingJob> uploadFiles(RecordingJob job) {
        List<RecordingFile> files = job.files();
        Map<String, FileOutcome> storedBefore = new LinkedHashMap<>();
        job.storedFiles().forEach(f -> storedBefore.put(f.name(), f));
        // stored in an earlier run under a name this run did not make (a thumbnail): still stored
        Set<String> names = files.stream().map(RecordingFile::name).collect(Collectors.toSet());
        List<FileOutcome> keptAsTheyAre = storedBefore.values().stream().filter(f -> !names.contains(f.name())).toList();
        Recording recording = job.recording();
        int parallel = Math.max(1, Math.min(files.size(), options.uploadsInFlight()));
        return Flux.fromIterable(files)
                .flatMapSequential(file -> {
                    Mono<FileOutcome> upload = Mono.defer(() -> uploadFile(recording, file))
                            .flatMap(outcome -> !outcome.stored() ? Mono.just(outcome)
                                    : journal(outbox.fileStored(recording.id(), outcome), recording.id(), outcome.name())
                                    .thenReturn(outcome));
                    FileOutcome before = storedBefore.get(file.name());
                    return before == null ? upload : confirmed(before).switchIfEmpty(upload);
                }, parallel, 1)
                .concatWith(Flux.fromIterable(keptAsTheyAre))
                .collectList()
                .map(job::withUploads);
    }

    /** The outcome, if the object is in the store with the size the journal has. */
    private Mono<FileOutcome> confirmed(FileOutcome stored) {
        return store.size(stored.key())
                .filter(size -> size == stored.size())
                .map(size -> stored)
                .onErrorResume(e -> Mono.empty());
    }

    private Mono<FileOutcome> uploadFile(Recording recording, RecordingFile file) {
        String key = options.keyLayout().key(recording.id(), file.name());
        return stat(recording, file)
                .flatMap(size -> uploads.withPermit(() -> store.put(withProgress(recording.id(), file.name(),
                                ObjectUpload.ofFile(key, file.path(), size, contentType(file.name())))))
                        .timeout(options.uploadTimeout())
                        .map(stored -> new FileOutcome(file.role(), file.name(), key, stored.url(), stored.size(),
                                stored.attempts(), null))
                        .onErrorResume(e -> Mono.just(failedUpload(recording, file, key, size, e))))
                .onErrorResume(LocalFileProblem.class, e -> Mono.just(
                        new FileOutcome(file.role(), file.name(), key, null, 0, 0, e.getMessage())));
    }

    /** Reports the highest count seen, so that retries and parallel parts never move a bar back. */
    private ObjectUpload withProgress(long recordingId, String name, ObjectUpload upload) {
        UploadProgress listener = options.uploadProgress();
        if (listener == UploadProgress.NONE) {
            return upload;
        }
        long total = upload.size();
        AtomicLong sent = new AtomicLong();
        AtomicLong reported = new AtomicLong();
        return upload.withProgress(n -> {
            long now = Math.min(total, sent.addAndGet(n));
            if (reported.getAndAccumulate(now, Math::max) < now) {
                listener.progress(recordingId, name, now, total);
            }
        });
    }

    /** The file's size, checked on a thread that may block; a file that cannot be sent is a failure of its own. */
    private Mono<Long> stat(Recording recording, RecordingFile file) {
        return Mono.fromCallable(() -> {
            String who = "recording " + recording.id() + ": " + file.name() + ": ";
            Path path = file.path();
            Optional<String> refused = LocalFiles.refusal(options.fileAccess(), path);
            if (refused.isPresent()) {
                throw new LocalFileProblem(who + refused.get());
            }
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                throw new LocalFileProblem(who + "file not found: " + path);
            } catch (AccessDeniedException e) {
                throw new LocalFileProblem(who + "file cannot be read (permission denied): " + path);
            }
            if (attributes.isDirectory()) {
                throw new LocalFileProblem(who + "is a directory, not a file: " + path);
            }
            if (!attributes.isRegularFile()) {
                throw new LocalFileProblem(who + "is not a regular file: " + path);
            }
            if (!Files.isReadable(path)) {
                throw new LocalFileProblem(who + "file cannot be read (permission denied): " + path);
            }
            if (attributes.size() == 0) {
                throw new LocalFileProblem(who + "file is empty (0 bytes): " + path);
            }
            return attributes.size();
        }).subscribeOn(io);
    }

    private FileOutcome failedUpload(Recording recording, RecordingFile file, String key, long size, Throwable e) {
        String why;
        int attempts = 0;
        if (e instanceof ObjectStoreException) {
            why = e.getMessage();
            attempts = ((ObjectStoreException) e).attempts();
        } else if (e instanceof TimeoutException) {
            why = "upload did not finish within " + options.uploadTimeout();
        } else {
            why = e.toString();
        }
        log.warn("Upload failed: recording {}: {}: {}", recording.id(), file.name(), why);
        return new FileOutcome(file.role(), file.name(), key, null, size, attempts,
                "recording " + recording.id() + ": " + file.name() + ": " + why);
    }

    // ---- metadata

    /** Stored in an earlier run, for exactly the files stored now: nothing to redo. */
    private static boolean metadataUpToDate(RecordingJob job) {
        return job.metadataUpload().map(FileOutcome::stored).orElse(false)
                && job.metadata().map(m -> m.individualSizesMb().keySet().equals(
                        job.storedFiles().stream().map(FileOutcome::name).collect(Collectors.toSet()))).orElse(false);
    }

    private Mono<RecordingJob> storeMetadata(RecordingJob job) {
        return Mono.defer(() -> {
            Recording r = job.recording();
            String key = options.keyLayout().key(r.id(), options.metadataFileName());
            String url = store.url(key);
            RecordingMetadata withOwnUrl = MetadataAssembler.assemble(r, job.storedFiles(), job.probedDuration().orElse(null),
                    url, options.clock().instant(), options.uploadSource(), store.bucket(), store.region());
            byte[] json = withOwnUrl.toJson();
            return uploads.withPermit(() -> store.put(withProgress(r.id(), options.metadataFileName(),
                            ObjectUpload.ofBytes(key, json, "application/json"))))
                    .timeout(options.uploadTimeout())
                    .map(stored -> new FileOutcome(FileRole.METADATA, options.metadataFileName(), key, stored.url(),
                            stored.size(), stored.attempts(), null))
                    .flatMap(file -> journal(outbox.metadataStored(r.id(), withOwnUrl, file), r.id(), file.name())
                            .thenReturn(job.withMetadata(withOwnUrl, file)))
                    .onErrorResume(e -> {
                        FileOutcome failed = failedUpload(r, RecordingFile.of(FileRole.METADATA,
                                Path.of(options.metadataFileName())), key, json.length, e);
                        Map<String, String> withoutIt = new LinkedHashMap<>(withOwnUrl.uploadedFiles());
                        withoutIt.remove(FileRole.METADATA.payloadKey());
                        return Mono.just(job.withMetadata(withOwnUrl.withUploadedFiles(withoutIt), failed));
                    });
        }).subscribeOn(io); // the URL may be presigned: the SDK's signer takes locks
    }

    // ---- deliver

    /**
     * Delivers to every endpoint that has not yet taken this very body (same webhook-id) and is
     * not disabled by an earlier 410; each outcome is journaled as it comes.
     */
    private Mono<RecordingJob> deliverWebhooks(RecordingJob job) {
        return outbox.disabledEndpoints().onErrorReturn(Set.of()).flatMap(disabled -> {
            byte[] body = job.metadata().orElseThrow().toJson();
            String webhookId = Signatures.webhookId(job.id(), body);
            List<WebhookEndpoint> endpoints = options.webhooks();
            return Flux.fromIterable(endpoints)
                    .flatMapSequential(endpoint -> {
                        String where = endpoint.displayName();
                        WebhookOutcome before = job.webhooks().stream()
                                .filter(w -> w.endpoint().equals(where) && w.delivered() && w.webhookId().equals(webhookId))
                                .findFirst().orElse(null);
                        if (before != null) {
                            return Mono.just(before);
                        }
                        if (disabled.contains(where)) {
                            return Mono.just(new WebhookOutcome(where, webhookId, WebhookOutcome.State.GONE, 0, 0, null,
                                    "endpoint disabled after it answered 410; enable it again with enableEndpoint(url)"));
                        }
                        return sender.deliver(endpoint, job.id(), webhookId, body)
                                .flatMap(outcome -> journal(outcome.state() == WebhookOutcome.State.GONE
                                                ? outbox.disableEndpoint(where, outcome.error()) : Mono.empty(),
                                        job.id(), "the 410 of " + where)
                                        .then(journal(outbox.delivery(job.id(), outcome), job.id(), "a delivery"))
                                        .thenReturn(outcome));
                    }, endpoints.size(), 1)
                    .collectList()
                    .map(job::withWebhooks);
        });
    }

    static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        String ext = dot < 0 ? "" : n.substring(dot + 1);
        switch (ext) {
            case "mkv": return "video/x-matroska";
            case "mp4": case "m4v": return "video/mp4";
            case "webm": return "video/webm";
            case "mov": return "video/quicktime";
            case "avi": return "video/x-msvideo";
            case "jpg": case "jpeg": return "image/jpeg";
            case "png": return "image/png";
            case "txt": return "text/plain; charset=utf-8";
            case "vtt": return "text/vtt";
            case "srt": return "application/x-subrip";
            case "json": return "application/json";
            case "wav": return "audio/wav";
            case "mp3": return "audio/mpeg";
            case "m4a": return "audio/mp4";
            default: return "application/octet-stream";
        }
    }

    @Override
    public void close() {
        if (ownedStore != null) {
            ownedStore.close();
        }
        sender.close();
        media.close();
        if (ownedOutbox != null) {
            ownedOutbox.close();
        }
    }

    /** A local file that cannot be sent; its message names the recording and the file. */
    private static final class LocalFileProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LocalFileProblem(String message) {
            super(message, null, false, false);
        }
    }
}
