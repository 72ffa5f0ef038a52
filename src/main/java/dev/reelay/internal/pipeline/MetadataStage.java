package dev.reelay.internal.pipeline;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineOptions;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingMetadata;
import dev.reelay.storage.ObjectStore;
import dev.reelay.storage.ObjectUpload;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** Assembles a recording's metadata document from what was stored and stores it beside the files. */
final class MetadataStage {

    private final PipelineOptions options;
    private final ObjectStore store;
    private final Permits uploads;
    private final UploadStage files;
    private final Scheduler io;

    MetadataStage(PipelineOptions options, ObjectStore store, Permits uploads, UploadStage files, Scheduler io) {
        this.options = options;
        this.store = store;
        this.uploads = uploads;
        this.files = files;
        this.io = io;
    }

    /** Whether the stage has anything to do for this job. */
    static boolean applies(RecordingJob job) {
        return !job.rejected() && !job.storedFiles().isEmpty() && !upToDate(job);
    }

    /** Stored in an earlier run, for exactly the files stored now: nothing to redo. */
    private static boolean upToDate(RecordingJob job) {
        return job.metadataUpload().map(FileOutcome::stored).orElse(false)
                && job.metadata().map(m -> m.individualSizesMb().keySet().equals(
                        job.storedFiles().stream().map(FileOutcome::name).collect(Collectors.toSet()))).orElse(false);
    }

    Mono<RecordingJob> store(RecordingJob job) {
        return Mono.defer(() -> {
            Recording r = job.recording();
            String name = options.metadataFileName();
            String key = options.keyLayout().key(r.id(), name);
            String url = store.url(key);
            RecordingMetadata withOwnUrl = MetadataAssembler.assemble(r, job.storedFiles(), job.probedDuration().orElse(null),
                    url, options.clock().instant(), options.uploadSource(), store.bucket(), store.region());
            byte[] json = withOwnUrl.toJson();
            return uploads.withPermit(() -> store.put(files.withProgress(r.id(), name,
                            ObjectUpload.ofBytes(key, json, "application/json"))))
                    .timeout(options.uploadTimeout())
                    .map(stored -> new FileOutcome(FileRole.METADATA, name, key, stored.url(),
                            stored.size(), stored.attempts(), null))
                    .flatMap(file -> Journaling.metadataStored(r.id(), withOwnUrl, file)
                            .thenReturn(job.withMetadata(withOwnUrl, file)))
                    .onErrorResume(e -> {
                        FileOutcome failed = files.failed(r, RecordingFile.of(FileRole.METADATA, Path.of(name)), key,
                                json.length, e);
                        Map<String, String> withoutIt = new LinkedHashMap<>(withOwnUrl.uploadedFiles());
                        withoutIt.remove(FileRole.METADATA.payloadKey());
                        return Mono.just(job.withMetadata(withOwnUrl.withUploadedFiles(withoutIt), failed));
                    });
        }).subscribeOn(io); // the URL may be presigned: the SDK's signer takes locks
    }
}
