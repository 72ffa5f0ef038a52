package dev.reelay.internal.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.outbox.Activity;
import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Attempt;
import dev.reelay.outbox.EndpointHealth;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.outbox.OutboxStats;
import dev.reelay.outbox.OutboxPage;
import dev.reelay.outbox.OutboxQuery;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@link Outbox} SPI in terms of the journal's SQL and policy ({@link JournalSql}) and of two
 * things each database does its own way: running a write (SQLite: its one writer thread with
 * group commit; PostgreSQL: a transaction of its own on a pooled connection) and running a read.
 * Claims are handed out a page at a time as they are requested, and their leases held here from
 * before their commit ({@link HeldLeases}).
 */
abstract class JournalOutbox implements Outbox, InterimCounts.Source {

    static final Logger log = LoggerFactory.getLogger("dev.reelay.outbox");
    static final int READ_PAGE = 64;
    static final int CLAIM_PAGE = 16;

    final JournalSql sql;
    final AttemptLogSql attemptLog;
    final ListingSql listing;
    final Clock clock;
    final HeldLeases held;

    JournalOutbox(JournalSql sql, Clock clock) {
        this.sql = Objects.requireNonNull(sql, "sql");
        this.attemptLog = new AttemptLogSql(sql.tablePrefix());
        this.listing = new ListingSql(sql, sql.tablePrefix());
        this.clock = Objects.requireNonNull(clock, "clock");
        this.held = new HeldLeases(this::leaseTaken);
    }

    /** Runs the work in a write transaction; answers once it is durable, or with what kept it from being. */
    abstract <T> Mono<T> write(JournalWriter.Work<T> work);

    /** Runs a read, on a thread that may block. */
    abstract <T> Mono<T> read(JournalWriter.Work<T> work);

    /** Where the journal is, for logs: "the outbox at …". */
    abstract String where();

    /** Called whenever this instance takes a lease. */
    void leaseTaken() {
    }

    /** More work in the transaction that finishes a run (after the entry's end is written). */
    void finishing(Connection c) throws SQLException {
    }

    /** What follows a finish once it is durable; its failure must not fail the finish. */
    Mono<Void> finished() {
        return Mono.empty();
    }

    // ---- accepting and claiming

    @Override
    public Mono<Admission> accept(Recording r, String version) {
        Objects.requireNonNull(version, "version");
        return held.claiming(this::write, c -> sql.accept(c, r, version, clock.millis(), held.ids()));
    }

    @Override
    public Mono<Admission> claim(long recordingId) {
        return held.claiming(this::write, c -> sql.claim(c, recordingId, clock.millis(), held.ids()));
    }

    @Override
    public Flux<Admission> claimUnfinished() {
        return claims((c, cursor) -> sql.claimUnfinished(c, cursor, CLAIM_PAGE, clock.millis(), held.ids(),
                this::unreadable));
    }

    @Override
    public Flux<Admission> claimDue(Instant now) {
        return claims((c, cursor) -> sql.claimDue(c, cursor, CLAIM_PAGE, now.toEpochMilli(), held.ids(),
                this::unreadable));
    }

    @FunctionalInterface
    private interface ClaimPage {
        JournalSql.Claims claim(Connection c, JournalSql.Cursor after) throws SQLException;
    }

    /**
     * Claims page after page, each once the one before completed, so that at most a page is
     * claimed ahead of demand; claims cancelled before they were handed out are released.
     */
    private Flux<Admission> claims(ClaimPage page) {
        return Flux.defer(() -> {
            AtomicReference<JournalSql.Cursor> cursor = new AtomicReference<>(JournalSql.Cursor.START);
            return held.claimingAll(this::write, c -> page.claim(c, cursor.get()))
                    .doOnNext(p -> cursor.set(p.next()))
                    .repeat(() -> cursor.get() != null)
                    .concatMapIterable(JournalSql.Claims::admissions, 1)
                    .doOnDiscard(Admission.class, this::releaseUnused)
                    .doOnDiscard(JournalSql.Claims.class, p -> p.admissions().forEach(this::releaseUnused));
        });
    }

    private void releaseUnused(Admission a) {
        if (a.lease() != null) {
            release(a.lease()).subscribe(null, e -> log.warn("Releasing recording {} in {} failed: {}",
                    a.lease().recordingId(), where(), e.getMessage()));
        }
    }

    // ---- writes under a lease

    @Override
    public Mono<Void> fileStored(Lease lease, FileOutcome f) {
        return leased(lease, c -> sql.fileStored(c, lease.recordingId(), f));
    }

    @Override
    public Mono<Void> multipartStarted(Lease lease, String fileName, MultipartProgress upload) {
        return leased(lease, c -> sql.multipartStarted(c, lease.recordingId(), fileName, upload));
    }

    @Override
    public Mono<Void> partStored(Lease lease, String fileName, String uploadId, MultipartProgress.Part part) {
        return leased(lease, c -> sql.partStored(c, lease.recordingId(), fileName, uploadId, part));
    }

    @Override
    public Mono<Void> metadataStored(Lease lease, RecordingMetadata metadata, FileOutcome f) {
        byte[] body = metadata.toJson();
        return leased(lease, c -> sql.metadataStored(c, lease.recordingId(), body, f));
    }

    @Override
    public Mono<Void> delivery(Lease lease, WebhookOutcome o) {
        return leased(lease, c -> sql.delivery(c, lease.recordingId(), o));
    }

    @Override
    public Mono<Void> finish(Lease lease, PipelineResult result, State state, Instant nextAttemptAt) {
        return held.ending(lease, this.<Void>write(c -> {
            sql.finish(c, lease, result, state, nextAttemptAt, clock.millis());
            finishing(c);
            return null;
        })).then(Mono.defer(this::finished));
    }

    @Override
    public Mono<Void> release(Lease lease) {
        return held.ending(lease, this.<Void>write(c -> {
            sql.release(c, lease, clock.millis());
            return null;
        }));
    }

    @FunctionalInterface
    private interface LeasedWrite {
        void write(Connection c) throws SQLException;
    }

    private Mono<Void> leased(Lease lease, LeasedWrite write) {
        return this.<Void>write(c -> {
            sql.checkLease(c, lease, clock.millis());
            write.write(c);
            return null;
        });
    }

    // ---- reading

    @Override
    public Mono<OutboxEntry> entry(long id) {
        return read(c -> sql.entry(c, id));
    }

    @Override
    public Flux<OutboxEntry> unfinished() {
        return pages(List.of(State.IN_PROGRESS));
    }

    @Override
    public Flux<OutboxEntry> pending() {
        return pages(List.of(State.PENDING, State.PARKED, State.GAVE_UP));
    }

    @Override
    public Mono<OutboxStats> stats() {
        return read(sql::stats);
    }

    /** Reads page after page, each once the one before is used up. */
    private Flux<OutboxEntry> pages(List<State> states) {
        return Flux.defer(() -> {
            AtomicReference<JournalSql.Cursor> cursor = new AtomicReference<>(JournalSql.Cursor.START);
            return read(c -> sql.page(c, states, cursor.get(), READ_PAGE, this::unreadable))
                    .doOnNext(p -> cursor.set(p.next()))
                    .repeat(() -> cursor.get() != null)
                    .concatMapIterable(JournalSql.Page::entries, 1);
        });
    }

    // ---- the attempt log and listings

    @Override
    public Mono<Void> attempt(Lease lease, Attempt attempt) {
        Objects.requireNonNull(attempt, "attempt");
        return leased(lease, c -> attemptLog.write(c, lease.recordingId(), attempt));
    }

    @Override
    public Flux<Attempt> attempts(long recordingId) {
        return read(c -> attemptLog.read(c, recordingId)).flatMapIterable(a -> a);
    }

    @Override
    public Mono<OutboxPage> list(OutboxQuery query) {
        Objects.requireNonNull(query, "query");
        return read(c -> listing.page(c, query, this::unreadable));
    }

    @Override
    public Mono<Map<PipelineResult.Status, Long>> lastResults() {
        return read(listing::lastResults);
    }

    @Override
    public Mono<List<Activity>> activity(Instant since) {
        Objects.requireNonNull(since, "since");
        return read(c -> attemptLog.activity(c, since));
    }

    @Override
    public Mono<List<EndpointHealth>> endpointHealth(Instant since) {
        Objects.requireNonNull(since, "since");
        return read(c -> attemptLog.health(c, since));
    }

    @Override
    public Mono<InterimCounts> countsByStateUntilStatsLands() {
        return read(listing::countsByStateUntilStatsLands);
    }

    void unreadable(String problem) {
        log.warn("In {}: {}", where(), problem);
    }

    // ---- endpoints

    @Override
    public Mono<Void> disableEndpoint(String endpoint, String reason) {
        return this.<Void>write(c -> {
            sql.disableEndpoint(c, endpoint, reason, clock.millis());
            return null;
        });
    }

    @Override
    public Mono<Void> enableEndpoint(String endpoint) {
        return this.<Void>write(c -> {
            sql.enableEndpoint(c, endpoint);
            return null;
        });
    }

    @Override
    public Mono<Set<String>> disabledEndpoints() {
        return read(sql::disabledEndpoints);
    }
}
