package dev.reelay.internal.pipeline;

import dev.reelay.RecordingPipeline;
import dev.reelay.storage.MultipartProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** How the stages write to the journal once a recording is accepted. */
final class Journaling {

    private static final Logger log = LoggerFactory.getLogger(RecordingPipeline.class);

    private Journaling() {
    }

    /**
     * A journal write after the accept: if it fails, the work is done all the same and a resume
     * would only redo it, so it is logged, not failed.
     */
    static Mono<Void> logged(Mono<Void> write, long recordingId, String what) {
        return write.onErrorResume(e -> {
            log.warn("The outbox could not record {} of recording {}: {}", what, recordingId, e.getMessage());
            return Mono.empty();
        });
    }

    /**
     * A multipart upload of {@code fileName} is under way (new, or continued with the parts the
     * store confirmed): what a later run needs to continue it. Replaces what was kept of an earlier
     * upload of the same file. Not journaled yet: the journal's SPI gets the write.
     */
    static Mono<Void> multipartStarted(long recordingId, String fileName, MultipartProgress progress) {
        return Mono.empty();
    }

    /** One more part of the multipart upload {@code uploadId} of {@code fileName} is stored. Not journaled yet. */
    static Mono<Void> partStored(long recordingId, String fileName, String uploadId, MultipartProgress.Part part) {
        return Mono.empty();
    }
}
