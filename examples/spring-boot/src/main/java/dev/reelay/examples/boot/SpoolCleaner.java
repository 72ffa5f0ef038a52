package dev.reelay.examples.boot;

import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.event.RecordingFinished;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;

/**
 * Deletes a recording's uploaded files once it is complete. Until then they stay: the journal holds their paths,
 * and a retry or the next start's {@code resume()} reads them again. A watcher of {@link RecordingPipeline#events()}
 * runs on a worker of its own, so the deleting may block.
 */
@Component
class SpoolCleaner implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SpoolCleaner.class);

    private final Path spool;
    private final Disposable watch;

    SpoolCleaner(RecordingPipeline pipeline, SpoolProperties properties) {
        this.spool = properties.spoolDirectory();
        this.watch = pipeline.events()
                .ofType(RecordingFinished.class)
                .filter(f -> f.status() == PipelineResult.Status.COMPLETED)
                .subscribe(f -> delete(f.recordingId()), e -> log.warn("Spool cleaning stopped: {}", e.toString()));
    }

    private void delete(long recordingId) {
        Path dir = spool.resolve(Long.toString(recordingId));
        if (!Files.isDirectory(dir)) {
            return;   // not one of ours (posted as paths on disk), or already gone
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("Recording {}: its spooled files could not all be deleted: {}", recordingId, e.toString());
        }
    }

    @Override
    public void destroy() {
        watch.dispose();
    }
}
