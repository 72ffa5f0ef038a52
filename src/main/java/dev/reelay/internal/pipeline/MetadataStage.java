package dev.reelay.internal.pipeline;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineOptions;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingMetadata;
import dev.reelay.internal.storage.UrlExpiry;
import dev.reelay.internal.telemetry.Telemetry;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectUpload;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** Assembles a recording's metadata document from what was stored and stores it beside the files. */
final class MetadataStage {

    private final PipelineOptions options;
    private final ObjectStore store;
    private final UploadStage files;
    private final Scheduler io;
    private final Telemetry telemetry;

    MetadataStage(PipelineOptions options, ObjectStore store, UploadStage files, Scheduler io, Telemetry telemetry) {
        this.options = options;
        this.store = store;
        this.files = files;
        this.io = io;
        this.telemetry = telemetry;
    }

    /** Whether the stage has anything to do for this job. */
    static boolean applies(RecordingJob job) {
        return !job.rejected() && !job.storedFiles().isEmpty() && !upToDate(job);
    }

    /**
     * Stored in an earlier run, for exactly the files stored now, with URLs that are still good
     * for at least half their lifetime: nothing to redo. Presigned URLs carry the signer's clock,
     * the system's, so they are judged by it.
     */
    private static boolean upToDate(RecordingJob job) {
        return sameFiles(job) && job.metadata().orElseThrow().uploadedFiles().values().stream()
                .allMatch(url -> UrlExpiry.fresh(url, Instant.now()));
    }

    /** The document of an earlier run lists exactly the files stored now. */
    private static boolean sameFiles(RecordingJob job) {
        return job.metadataUpload().map(FileOutcome::stored).orElse(false)
                && job.metadata().map(m -> m.individualSizesMb().keySet().equals(
                        job.storedFiles().stream().map(FileOutcome::name).collect(Collectors.toSet()))).orElse(false);
    }

    /**
     * Assembles the document with every URL signed anew (presigned URLs of an earlier run may be
     * about to expire) and stores it. When only the URLs changed, the document of the earlier run
     * is kept as it was, its upload timestamp included, so that its webhook-id stays the same.
     */
    Mono<RecordingJob> store(RecordingJob job) {
        return Mono.defer(() -> {
            Recording r = job.recording();
            String name = options.metadataFileName();
            String key = options.keyLayout().key(r.id(), name);
            String url = store.url(key);
            List<FileOutcome> resigned = job.uploads().stream()
                    .map(f -> f.stored() ? new FileOutcome(f.role(), f.name(), f.key(), store.url(f.key()), f.size(),
                            f.attempts(), null) : f)
                    .toList();
            RecordingJob signed = job.withUploads(resigned);
            RecordingMetadata withOwnUrl = sameFiles(job)
                    ? job.metadata().orElseThrow().withUploadedFiles(MetadataAssembler.uploadedFiles(signed.storedFiles(), url))
                    : MetadataAssembler.assemble(r, signed.storedFiles(), job.probedDuration().orElse(null), url,
                    options.clock().instant(), options.uploadSource(), store.bucket(), store.region());
            byte[] json = withOwnUrl.toJson();
            AtomicReference<Instant> started = new AtomicReference<>();
            return files.put(r.id(), FileRole.METADATA, name, ObjectUpload.ofBytes(key, json, "application/json"), started)
                    .map(stored -> new FileOutcome(FileRole.METADATA, name, key, stored.url(),
                            stored.size(), stored.attempts(), null))
                    .flatMap(file -> Journaling.attempt(r.id(), files.attempt(r.id(), file, started.get()))
                            .then(Journaling.metadataStored(r.id(), withOwnUrl, file))
                            .doOnSuccess(v -> telemetry.metadataStored(r.id(), name, file.size()))
                            .thenReturn(signed.withMetadata(withOwnUrl, file)))
                    .onErrorResume(e -> {
                        FileOutcome failed = files.failed(r, RecordingFile.of(FileRole.METADATA, Path.of(name)), key,
                                json.length, e);
                        Map<String, String> withoutIt = new LinkedHashMap<>(withOwnUrl.uploadedFiles());
                        withoutIt.remove(FileRole.METADATA.payloadKey());
                        return Journaling.attempt(r.id(), files.attempt(r.id(), failed, started.get()))
                                .thenReturn(signed.withMetadata(withOwnUrl.withUploadedFiles(withoutIt), failed));
                    });
        }).subscribeOn(io); // the URLs may be presigned: the SDK's signer takes locks
    }
}
