package dev.reelay.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Instant;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The journal of accepted recordings: every recording is written here before any work starts,
 * and each stored file, the metadata and each delivery as they finish, so that after a crash
 * or a restart the pipeline finishes what was left without doing again what was done.
 *
 * <p>The embedded default keeps a SQLite file (see {@link OutboxOptions}); a host can plug in
 * its own, e.g. a table in a database several instances share. Implementations never block
 * the subscribing thread, and a {@code Mono<Void>} of a write completes only once the write is
 * durable.
 *
 * <pre>{@code
 * pipeline.pending().subscribe(e -> log.info("{} {}: {}", e.id(), e.state(), e.reason()));
 * pipeline.retry(3).subscribe(r -> log.info("retried: {}", r.status()));
 * }</pre>
 */
public interface Outbox extends AutoCloseable {

    /**
     * Journals an accepted recording, durably, before any work on it starts. A recording
     * accepted again starts afresh: what was recorded of it before is forgotten.
     */
    Mono<Void> accept(Recording recording);

    /** Records a file as stored. */
    Mono<Void> fileStored(long recordingId, FileOutcome file);

    /** Records the metadata document as stored. */
    Mono<Void> metadataStored(long recordingId, RecordingMetadata metadata, FileOutcome file);

    /** Records the end of one endpoint's delivery, whatever it was. */
    Mono<Void> delivery(long recordingId, WebhookOutcome outcome);

    /**
     * Records how a run ended: {@code DONE} when complete or rejected, otherwise not done, to be
     * retried at {@code nextAttemptAt} (null: only by hand).
     */
    Mono<Void> finish(PipelineResult result, OutboxEntry.State state, Instant nextAttemptAt);

    /** Counts a new run of a recording that is retried: back in progress, attempts up, journal kept. */
    Mono<Void> retrying(long recordingId);

    /** The entry of a recording, if it was accepted (and not pruned). */
    Mono<OutboxEntry> entry(long recordingId);

    /** Entries in {@link OutboxEntry.State#IN_PROGRESS}: work a crash or a stop interrupted. */
    Flux<OutboxEntry> unfinished();

    /** Entries that ended short of complete: {@code PENDING}, {@code PARKED} and {@code GAVE_UP}. */
    Flux<OutboxEntry> pending();

    /** {@code PENDING} and {@code PARKED} entries whose next automatic attempt is at or before {@code now}. */
    Flux<OutboxEntry> due(Instant now);

    /** Marks an endpoint gone (a 410): no deliveries to it until {@link #enableEndpoint}. */
    Mono<Void> disableEndpoint(String endpoint, String reason);

    /** Lets deliveries to an endpoint go out again. */
    Mono<Void> enableEndpoint(String endpoint);

    /** The endpoints disabled now. */
    Mono<Set<String>> disabledEndpoints();

    /** Releases the journal; further calls fail. */
    @Override
    void close();
}
