package dev.reelay.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The journal of accepted recordings: every recording is written here before any work on it
 * starts, and each stored file (and part), the metadata and each delivery as they finish, so
 * that after a crash or a restart the pipeline finishes what was left without doing again what
 * was done.
 *
 * <p>The embedded default keeps a SQLite file (see {@link OutboxOptions}); {@link PostgresOutbox}
 * keeps one journal for several host instances in PostgreSQL. A host with another database
 * implements this interface; the rules it must keep:
 * <ul>
 *   <li><b>True answers.</b> A write's {@code Mono} completes only once the write is durable, and
 *       errors only if nothing of it was kept. Implementations never block the subscribing
 *       thread.</li>
 *   <li><b>Ownership.</b> A recording is run by one journal instance at a time, the one holding
 *       its {@link Lease}. {@link #accept} and the {@code claim} methods hand out leases, each
 *       with a fencing token greater than any before it for that recording; a lease lasts
 *       until {@link #finish} or {@link #release}, or, where several instances share the
 *       journal, until it expires unrenewed. Writes carrying a lease that is no longer held
 *       fail with {@link LeaseLostException} and change nothing.</li>
 *   <li><b>Several instances.</b> Where instances share the journal, a recording another live
 *       instance holds is {@code HELD}, never claimed; two instances claiming at once never get
 *       the same recording; leases expire by one clock for all (the database's, not the hosts'),
 *       and the implementation renews the leases it holds while their work goes on.</li>
 *   <li><b>Versions.</b> {@link #accept} compares the recording's version (a digest of its files'
 *       paths, sizes and modification times, computed by the pipeline) with what it holds: the
 *       same version continues or is already complete; another version starts afresh.</li>
 * </ul>
 *
 * <pre>{@code
 * pipeline.pending().subscribe(e -> log.info("{} {}: {}", e.id(), e.state(), e.reason()));
 * pipeline.retry(3).subscribe(r -> log.info("retried: {}", r.status()));
 * }</pre>
 */
public interface Outbox extends AutoCloseable {

    /**
     * Journals an accepted recording, durably, before any work on it starts, and claims it. A
     * recording the journal does not hold, or holds in another version, is {@code STARTED}
     * (what was recorded of an earlier version is forgotten, but for multipart uploads, which
     * the pipeline aborts when it cannot continue them); the same version is {@code CONTINUED}
     * when unfinished and {@code COMPLETED} when complete; a recording another instance holds
     * is {@code HELD}, and nothing is written.
     */
    Mono<Admission> accept(Recording recording, String version);

    /**
     * Claims a journaled recording to run it again ({@code CONTINUED}, one more attempt), or
     * answers {@code HELD}; empty when the journal does not hold it.
     */
    Mono<Admission> claim(long recordingId);

    /**
     * Claims, one page at a time as they are requested, the {@code IN_PROGRESS} entries no live
     * instance holds: work a crash or a stop interrupted. Entries that cannot be read are skipped
     * and reported, never claimed.
     */
    Flux<Admission> claimUnfinished();

    /** Claims, one page at a time, the {@code PENDING} and {@code PARKED} entries due at or before {@code now}. */
    Flux<Admission> claimDue(Instant now);

    /** Records a file as stored. */
    Mono<Void> fileStored(Lease lease, FileOutcome file);

    /** Records that a multipart upload of a file started, so that a later run can continue it. */
    Mono<Void> multipartStarted(Lease lease, String fileName, MultipartProgress upload);

    /** Records one stored part of a multipart upload. */
    Mono<Void> partStored(Lease lease, String fileName, String uploadId, MultipartProgress.Part part);

    /** Records the metadata document as stored. */
    Mono<Void> metadataStored(Lease lease, RecordingMetadata metadata, FileOutcome file);

    /** Records the end of one endpoint's delivery, whatever it was. */
    Mono<Void> delivery(Lease lease, WebhookOutcome outcome);

    /**
     * Records how a run ended and ends the lease: {@code DONE} when complete, {@code REJECTED}
     * when invalid, otherwise not done, to be retried at {@code nextAttemptAt} (null: only by
     * hand).
     */
    Mono<Void> finish(Lease lease, PipelineResult result, OutboxEntry.State state, Instant nextAttemptAt);

    /**
     * Ends the lease without finishing: the entry stays {@code IN_PROGRESS}, for
     * {@link #claimUnfinished()} here or in another instance.
     */
    Mono<Void> release(Lease lease);

    /** The entry of a recording, if it was accepted (and not pruned). */
    Mono<OutboxEntry> entry(long recordingId);

    /** Entries in {@link OutboxEntry.State#IN_PROGRESS}, read page by page; nothing is claimed. */
    Flux<OutboxEntry> unfinished();

    /** Entries that ended short of complete ({@code PENDING}, {@code PARKED}, {@code GAVE_UP}), read page by page. */
    Flux<OutboxEntry> pending();

    /**
     * How much unfinished work the journal holds (see {@link OutboxStats}): read now and then by
     * metrics, so it must be cheap; the built-in journals answer with one indexed query. The
     * default counts what {@link #unfinished()} and {@link #pending()} list, reading every such
     * entry: override it with a query of your database.
     */
    default Mono<OutboxStats> stats() {
        return Mono.defer(() -> {
            Map<OutboxEntry.State, Long> counts = new EnumMap<>(OutboxEntry.State.class);
            Instant[] oldest = new Instant[1];
            return Flux.concat(unfinished(), pending())
                    .doOnNext(e -> {
                        counts.merge(e.state(), 1L, Long::sum);
                        if (e.state() != OutboxEntry.State.GAVE_UP && (oldest[0] == null || e.acceptedAt().isBefore(oldest[0]))) {
                            oldest[0] = e.acceptedAt();
                        }
                    })
                    .then(Mono.fromSupplier(() -> new OutboxStats(counts, oldest[0])));
        });
    }

    // ---- the attempt log and the read model of dashboards; optional for other databases

    /**
     * Records one attempt (a webhook request, a run's upload of a file) in the attempt log, keeping
     * at most {@link Attempt#KEPT_PER_TARGET} per recording and target, the newest; the attempts go
     * when the entry is pruned. The default keeps nothing.
     */
    default Mono<Void> attempt(Lease lease, Attempt attempt) {
        return Mono.empty();
    }

    /**
     * The attempt log of a recording, oldest first: every webhook request with its answer and every
     * upload with its outcome (the newest {@link Attempt#KEPT_PER_TARGET} per file and endpoint).
     * Empty for an outbox that keeps none.
     *
     * <pre>{@code
     * outbox.attempts(3).subscribe(a -> System.out.println(a.target() + " " + a.outcome() + " " + a.statusCode()));
     * }</pre>
     */
    default Flux<Attempt> attempts(long recordingId) {
        return Flux.empty();
    }

    /**
     * A page of entries, newest accepted first, filtered by the query; see {@link OutboxQuery}. The
     * built-in journals answer from indexes, so a page of 100,000 entries costs what a page of 1,000
     * does. The default fails: an outbox of another database lists nothing until it implements this.
     */
    default Mono<OutboxPage> list(OutboxQuery query) {
        return Mono.error(new UnsupportedOperationException(getClass().getName() + " does not list its entries"));
    }

    /**
     * Entries whose last run ended and that are done, rejected or pending a retry, counted by how
     * that run ended: {@code COMPLETED}, {@code REJECTED}, and among those pending, {@code PARTIAL},
     * {@code WEBHOOK_FAILED} or {@code UPLOAD_FAILED}. Entries in flight, parked or given up are not
     * counted here (their states say more). Empty for an outbox that keeps no results.
     */
    default Mono<Map<PipelineResult.Status, Long>> lastResults() {
        return Mono.just(Map.of());
    }

    /**
     * The attempt log since {@code since}, minute by minute (minutes with nothing are left out), oldest
     * first: bytes stored, uploads failed, webhook requests taken and failed. Empty for an outbox that
     * keeps no attempt log.
     */
    default Mono<List<Activity>> activity(Instant since) {
        return Mono.just(List.of());
    }

    /**
     * Each endpoint that was sent to since {@code since}, or that is disabled now: its requests and
     * successes in that time, its last failure, and whether it is disabled. Empty for an outbox that
     * keeps no attempt log.
     */
    default Mono<List<EndpointHealth>> endpointHealth(Instant since) {
        return Mono.just(List.of());
    }

    /** Marks an endpoint gone (a 410): no deliveries to it until {@link #enableEndpoint}. */
    Mono<Void> disableEndpoint(String endpoint, String reason);

    /** Lets deliveries to an endpoint go out again. */
    Mono<Void> enableEndpoint(String endpoint);

    /** The endpoints disabled now. */
    Mono<Set<String>> disabledEndpoints();

    /** Completes or fails every write still queued, then releases the journal; further calls fail. */
    @Override
    void close();
}
