package dev.reelay.internal.pipeline;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineOptions;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingPipeline;
import dev.reelay.internal.LocalFiles;
import dev.reelay.internal.Permits;
import dev.reelay.internal.telemetry.Telemetry;
import dev.reelay.outbox.Attempt;
import dev.reelay.storage.MultipartListener;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectStoreException;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.storage.StoredObject;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Uploads every file of a recording that is not already stored, in parallel within the global
 * upload bound; a file the journal says is stored is confirmed with a HEAD (same size) and
 * uploaded again only if the store disagrees.
 */
final class UploadStage {

    private static final Logger log = LoggerFactory.getLogger(RecordingPipeline.class);

    private final PipelineOptions options;
    private final ObjectStore store;
    private final Permits uploads;
    private final Scheduler io;
    private final Telemetry telemetry;

    UploadStage(PipelineOptions options, ObjectStore store, Permits uploads, Scheduler io, Telemetry telemetry) {
        this.options = options;
        this.store = store;
        this.uploads = uploads;
        this.io = io;
        this.telemetry = telemetry;
    }

    Mono<RecordingJob> upload(RecordingJob job) {
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
                    Mono<FileOutcome> upload = Mono.defer(() -> uploadFile(job, file))
                            .flatMap(outcome -> !outcome.stored() ? Mono.just(outcome)
                                    : Journaling.fileStored(recording.id(), outcome).thenReturn(outcome));
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

    private Mono<FileOutcome> uploadFile(RecordingJob job, RecordingFile file) {
        Recording recording = job.recording();
        String key = options.keyLayout().key(recording.id(), file.name());
        AtomicReference<Instant> started = new AtomicReference<>();
        return stat(recording, file)
                .flatMap(size -> {
                    ObjectUpload upload = resumable(job, file.name(),
                            ObjectUpload.ofFile(key, file.path(), size, ContentTypes.of(file.name())));
                    return put(recording.id(), file.role(), file.name(), upload, started)
                            .map(stored -> new FileOutcome(file.role(), file.name(), key, stored.url(), stored.size(),
                                    stored.attempts(), null))
                            .onErrorResume(e -> Mono.just(failed(recording, file, key, size, e)));
                })
                .onErrorResume(LocalFileProblem.class, e -> {
                    telemetry.uploadRefused(recording.id(), file.role(), file.name(), e.getMessage());
                    return Mono.just(new FileOutcome(file.role(), file.name(), key, null, 0, 0, e.getMessage()));
                })
                .flatMap(outcome -> Journaling.attempt(recording.id(), attempt(recording.id(), outcome, started.get()))
                        .thenReturn(outcome));
    }

    /**
     * Stores one object in an upload slot, under the overall limit when there is one (applied
     * inside the slot, so waiting for it is free); its start, progress and end are told to the
     * pipeline's watchers, and when it got its slot to {@code started} (the attempt log's start).
     */
    Mono<StoredObject> put(long recordingId, FileRole role, String name, ObjectUpload upload,
                           AtomicReference<Instant> started) {
        return uploads.withPermit(() -> Mono.deferContextual(ctx -> {
            started.set(options.clock().instant());
            Telemetry.UploadWatch watch = telemetry.uploadStarted(ctx, recordingId, role, name, upload.size());
            return limited(store.put(upload.withProgress(watch.progress())))
                    .doOnNext(stored -> watch.stored(stored.attempts()))
                    .doOnError(e -> watch.failed(attemptsOf(e), "recording " + recordingId + ": " + name + ": "
                            + describe(e), e))
                    .doOnCancel(watch::cancelled);
        }));
    }

    /** A run's upload of one file as the attempt log keeps it: how it ended, its requests, how long it took in its slot. */
    Attempt attempt(long recordingId, FileOutcome outcome, Instant started) {
        Instant from = started == null ? options.clock().instant() : started;
        return new Attempt(recordingId, Attempt.Kind.UPLOAD, outcome.name(), 1, from,
                Duration.between(from, options.clock().instant()), outcome.stored() ? Attempt.Outcome.SUCCEEDED
                : Attempt.Outcome.FAILED, 0, outcome.attempts(), outcome.size(), null, Map.of(), null, outcome.error());
    }

    /** The put, under the overall limit when there is one; applied inside the upload slot, so waiting for it is free. */
    <T> Mono<T> limited(Mono<T> put) {
        return options.uploadTimeout().map(put::timeout).orElse(put);
    }

    /**
     * The upload continues the multipart upload an earlier run left, if any; with a journal, its
     * start and each stored part are journaled (to the run's entry), so that a later run
     * continues it in turn.
     */
    private ObjectUpload resumable(RecordingJob job, String name, ObjectUpload upload) {
        long id = job.id();
        MultipartProgress left = job.resumableUploads().get(name);
        ObjectUpload u = left == null ? upload : upload.resumeFrom(left);
        if (!options.outbox().enabled()) {
            return u;
        }
        return u.withMultipartListener(new MultipartListener() {
            @Override
            public Mono<Void> started(MultipartProgress progress) {
                return Journaling.multipartStarted(id, name, progress);
            }

            @Override
            public Mono<Void> partStored(String uploadId, MultipartProgress.Part part) {
                return Journaling.partStored(id, name, uploadId, part);
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

    /** A file that could not be stored, with a reason that names the recording and the file. */
    FileOutcome failed(Recording recording, RecordingFile file, String key, long size, Throwable e) {
        String why = describe(e);
        log.warn("Upload failed: recording {}: {}: {}", recording.id(), file.name(), why);
        return new FileOutcome(file.role(), file.name(), key, null, size, attemptsOf(e),
                "recording " + recording.id() + ": " + file.name() + ": " + why);
    }

    private String describe(Throwable e) {
        if (e instanceof ObjectStoreException) {
            return e.getMessage();
        }
        if (e instanceof TimeoutException) {
            return "upload did not finish within " + options.uploadTimeout().map(Object::toString).orElse("its time");
        }
        return e.toString();
    }

    private static int attemptsOf(Throwable e) {
        return e instanceof ObjectStoreException ? ((ObjectStoreException) e).attempts() : 0;
    }

    /** A local file that cannot be sent; its message names the recording and the file. */
    private static final class LocalFileProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LocalFileProblem(String message) {
            super(message, null, false, false);
        }
    }
}
