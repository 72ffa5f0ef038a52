package dev.reelay.internal.pipeline;

import dev.reelay.RecordingPipeline;
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
}
