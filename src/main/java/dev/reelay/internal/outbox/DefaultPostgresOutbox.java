package dev.reelay.internal.outbox;

import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.ReelayException;
import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.webhook.WebhookOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The shared journal on PostgreSQL: the journal's SQL and policy ({@link JournalSql}) with the
 * {@link PostgresDialect}, each call one short transaction on a connection of the host's data
 * source, on a bounded scheduler of its own (JDBC blocks; it never runs on an event loop).
 *
 * <ul>
 *   <li>Claims lock the rows they read ({@code FOR UPDATE SKIP LOCKED}) inside their transaction
 *       and claim them in the same one, each only if its fencing token is still the one read.</li>
 *   <li>Leases are given and checked by the database's clock; a heartbeat renews the leases this
 *       instance holds every third of the lease; a write renews its own lease too.</li>
 *   <li>No transaction outlives a lease: {@code idle_in_transaction_session_timeout} is set to
 *       the lease in each, so an instance paused mid-transaction frees its rows when its lease
 *       would have expired anyway.</li>
 *   <li>Serialization failures and deadlocks broken by the server are run again, a few times.</li>
 *   <li>Closing gives up the leases still held, so other instances take over at once.</li>
 * </ul>
 */
public final class DefaultPostgresOutbox implements Outbox {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.outbox");
    private static final int READ_PAGE = 64;
    private static final int CLAIM_PAGE = 16;
    private static final int PRUNE_BATCH = 500;
    private static final int PRUNE_BATCHES = 20;
    private static final int PRUNE_EVERY = 1000;
    private static final int TRIES = 3;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** The outbox's settings, checked by {@code PostgresOutbox.Builder}. */
    public record Settings(DataSource dataSource, String schema, String tablePrefix, Duration lease, int connections,
                           String instanceName, Duration retention, boolean createSchema, Clock clock) {
        public Settings {
            Objects.requireNonNull(dataSource, "dataSource");
            Objects.requireNonNull(tablePrefix, "tablePrefix");
            Objects.requireNonNull(lease, "lease");
            Objects.requireNonNull(instanceName, "instanceName");
            Objects.requireNonNull(retention, "retention");
            Objects.requireNonNull(clock, "clock");
        }

        String qualifiedPrefix() {
            return schema == null ? tablePrefix : schema + "." + tablePrefix;
        }
    }

    private final Settings settings;
    private final String prefix;
    private final Clock clock;
    private final JournalSql sql;
    private final Scheduler jdbc;
    private final String transactionSettings;
    private final HeldLeases held = new HeldLeases(this::startHeartbeat);
    private final AtomicLong finishes = new AtomicLong();
    private final Object schemaLock = new Object();
    private volatile boolean schemaReady;
    private volatile boolean closed;
    // guarded by this
    private Disposable heartbeat;

    public DefaultPostgresOutbox(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.prefix = settings.qualifiedPrefix();
        this.clock = settings.clock();
        this.sql = new JournalSql(new PostgresDialect(), settings.instanceName(), prefix, settings.lease());
        this.jdbc = Schedulers.newBoundedElastic(settings.connections(), 100_000, "reelay-postgres", 60, true);
        this.transactionSettings = "SET LOCAL idle_in_transaction_session_timeout = " + settings.lease().toMillis();
    }

    // ---- the SPI

    @Override
    public Mono<Admission> accept(Recording r, String version) {
        Objects.requireNonNull(version, "version");
        return held.claiming(this::transaction, c -> sql.accept(c, r, version, clock.millis(), held.ids()));
    }

    @Override
    public Mono<Admission> claim(long recordingId) {
        return held.claiming(this::transaction, c -> sql.claim(c, recordingId, clock.millis(), held.ids()));
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
     * Claims page after page, each once the one before was handed out, so that at most a page is
     * claimed ahead of demand; claims cancelled before they were handed out are released.
     */
    private Flux<Admission> claims(ClaimPage page) {
        return Flux.defer(() -> {
            AtomicReference<JournalSql.Cursor> cursor = new AtomicReference<>(JournalSql.Cursor.START);
            return held.claimingAll(this::transaction, c -> page.claim(c, cursor.get()))
                    .doOnNext(p -> cursor.set(p.next()))
                    .repeat(() -> cursor.get() != null)
                    .concatMapIterable(JournalSql.Claims::admissions, 1)
                    .doOnDiscard(Admission.class, this::releaseUnused)
                    .doOnDiscard(JournalSql.Claims.class, p -> p.admissions().forEach(this::releaseUnused));
        });
    }

    private void releaseUnused(Admission a) {
        if (a.lease() != null) {
            release(a.lease()).subscribe(null, e -> log.warn("The shared outbox ({}*) could not release recording {}: {}",
                    prefix, a.lease().recordingId(), e.getMessage()));
        }
    }

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
        return held.ending(lease, transaction(c -> {
            sql.finish(c, lease, result, state, nextAttemptAt, clock.millis());
            return null;
        })).then(Mono.defer(() -> finishes.getAndIncrement() % PRUNE_EVERY == 0 ? prune() : Mono.empty()));
    }

    @Override
    public Mono<Void> release(Lease lease) {
        return held.ending(lease, transaction(c -> {
            sql.release(c, lease, clock.millis());
            return null;
        }));
    }

    @FunctionalInterface
    private interface LeasedWrite {
        void write(Connection c) throws SQLException;
    }

    private Mono<Void> leased(Lease lease, LeasedWrite write) {
        return transaction(c -> {
            sql.checkLease(c, lease, clock.millis());
            write.write(c);
            return null;
        });
    }

    @Override
    public Mono<OutboxEntry> entry(long id) {
        return transaction(c -> sql.entry(c, id));
    }

    @Override
    public Flux<OutboxEntry> unfinished() {
        return pages(List.of(State.IN_PROGRESS));
    }

    @Override
    public Flux<OutboxEntry> pending() {
        return pages(List.of(State.PENDING, State.PARKED, State.GAVE_UP));
    }

    /** Reads page after page, each in a transaction of its own once the one before is used up. */
    private Flux<OutboxEntry> pages(List<State> states) {
        return Flux.defer(() -> {
            AtomicReference<JournalSql.Cursor> cursor = new AtomicReference<>(JournalSql.Cursor.START);
            return transaction(c -> sql.page(c, states, cursor.get(), READ_PAGE, this::unreadable))
                    .doOnNext(p -> cursor.set(p.next()))
                    .repeat(() -> cursor.get() != null)
                    .concatMapIterable(JournalSql.Page::entries, 1);
        });
    }

    @Override
    public Mono<Void> disableEndpoint(String endpoint, String reason) {
        return transaction(c -> {
            sql.disableEndpoint(c, endpoint, reason, clock.millis());
            return null;
        });
    }

    @Override
    public Mono<Void> enableEndpoint(String endpoint) {
        return transaction(c -> {
            sql.enableEndpoint(c, endpoint);
            return null;
        });
    }

    @Override
    public Mono<Set<String>> disabledEndpoints() {
        return transaction(sql::disabledEndpoints);
    }

    private void unreadable(String problem) {
        log.warn("The shared outbox ({}*): {}", prefix, problem);
    }

    // ---- leases

    /** Renews the leases held here every third of the lease, from the first lease on until closed. */
    private synchronized void startHeartbeat() {
        if (heartbeat != null || closed) {
            return;
        }
        Duration every = settings.lease().dividedBy(3);
        heartbeat = Flux.interval(every, every, Schedulers.parallel())
                .onBackpressureDrop()
                .concatMap(t -> renew(), 1)
                .subscribe(null, e -> log.error("The shared outbox ({}*) stopped renewing its leases", prefix, e));
    }

    /** Renews every lease held here; a lease it no longer held is forgotten (another instance took it over). */
    Mono<Void> renew() {
        if (held.isEmpty()) {
            return Mono.empty();
        }
        Map<Long, Lease> leases = held.snapshot();
        return transaction(c -> sql.renew(c, leases.keySet()))
                .doOnNext(renewed -> leases.forEach((id, lease) -> {
                    if (!renewed.contains(id) && held.forget(lease)) {
                        log.warn("Recording {} is no longer held by {}: its lease expired and another instance took "
                                + "it over (this instance was paused or lost the database for longer than the lease, {}); "
                                + "its writes here are refused from now on", id, lease.owner(), settings.lease());
                    }
                }))
                .then()
                .onErrorResume(e -> {
                    log.warn("The shared outbox ({}*) could not renew {} leases: {}", prefix, leases.size(), e.getMessage());
                    return Mono.empty();
                });
    }

    // ---- pruning

    /** Deletes finished entries older than the retention, in small batches, each its own transaction. */
    private Mono<Void> prune() {
        long before = clock.millis() - settings.retention().toMillis();
        return transaction(c -> sql.prune(c, before, PRUNE_BATCH))
                .repeat(PRUNE_BATCHES - 1L)
                .takeUntil(n -> n < PRUNE_BATCH)
                .reduce(0, Integer::sum)
                .doOnNext(n -> {
                    if (n > 0) {
                        log.debug("Pruned {} finished recordings from the shared outbox ({}*)", n, prefix);
                    }
                })
                .then()
                .onErrorResume(e -> {
                    log.warn("Pruning the shared outbox ({}*) failed: {}", prefix, e.getMessage());
                    return Mono.empty();
                });
    }

    // ---- transactions

    /**
     * Runs the work in a transaction of its own on the outbox's JDBC scheduler; what follows it
     * runs on the parallel scheduler, so that the JDBC threads only talk to the database.
     */
    private <T> Mono<T> transaction(JournalWriter.Work<T> work) {
        return Mono.defer(() -> closed ? Mono.<T>error(failure(new JournalWriter.ClosedException()))
                        : Mono.fromCallable(() -> inTransaction(work)).subscribeOn(jdbc))
                .publishOn(Schedulers.parallel());
    }

    private <T> T inTransaction(JournalWriter.Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            if (closed) {
                throw failure(new JournalWriter.ClosedException());
            }
            try (Connection c = settings.dataSource().getConnection()) {
                return inTransaction(c, work);
            } catch (SQLException e) {
                if (attempt < TRIES && PostgresDialect.transientFailure(e)) {
                    log.debug("The shared outbox ({}*) runs a transaction again after: {}", prefix, e.getMessage());
                    continue;
                }
                throw failure(e);
            }
        }
    }

    private <T> T inTransaction(Connection c, JournalWriter.Work<T> work) throws SQLException {
        schema(c);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        boolean committed = false;
        try {
            try (Statement s = c.createStatement()) {
                s.execute(transactionSettings);
            }
            T value = work.run(c);
            c.commit();
            committed = true;
            return value;
        } finally {
            if (!committed) {
                rollbackQuietly(c);
            }
            if (auto) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    log.debug("A connection of the shared outbox could not be given back as it was: {}", e.toString());
                }
            }
        }
    }

    /** Creates or migrates the tables (or checks them) once; a failure is tried again on the next call. */
    private void schema(Connection c) throws SQLException {
        if (schemaReady) {
            return;
        }
        synchronized (schemaLock) {
            if (schemaReady) {
                return;
            }
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (settings.createSchema()) {
                    int found = PostgresSchema.migrate(c, settings.schema(), settings.tablePrefix());
                    c.commit();
                    if (found < PostgresSchema.CURRENT) {
                        log.info("The shared outbox's tables ({}*) were {} schema version {}", prefix,
                                found == 0 ? "created at" : "migrated from version " + found + " to", PostgresSchema.CURRENT);
                    }
                } else {
                    PostgresSchema.check(c, prefix);
                    c.commit();
                }
                schemaReady = true;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is broken: the pool finds out; the failure that got us here is what the caller hears
        }
    }

    /** What a caller is told: the journal's tables and what went wrong, in one line; never the data source's URL. */
    private ReelayException failure(Throwable t) {
        if (t instanceof ReelayException) {
            return (ReelayException) t;
        }
        if (t instanceof JournalWriter.ClosedException) {
            return new ReelayException("the shared outbox (" + prefix + "*) is closed");
        }
        if (t instanceof SQLException) {
            SQLException e = (SQLException) t;
            return new ReelayException("the shared outbox (" + prefix + "*) failed: " + oneLine(e.getMessage())
                    + (e.getSQLState() == null ? "" : " (SQL state " + e.getSQLState() + ")"), t);
        }
        return new ReelayException("the shared outbox (" + prefix + "*) failed: " + oneLine(String.valueOf(t)), t);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    // ---- closing

    /**
     * Stops the heartbeat, lets the transactions under way end (a few seconds at most), then
     * gives up the leases still held here, so that other instances take their recordings over at
     * once rather than after a lease. The data source is the host's and stays open.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (heartbeat != null) {
                heartbeat.dispose();
            }
        }
        try {
            jdbc.disposeGracefully().timeout(CLOSE_WAIT).onErrorResume(e -> Mono.fromRunnable(jdbc::dispose)).block();
        } catch (IllegalStateException e) {
            jdbc.dispose(); // closed from a thread that must not block: the transactions under way are cut short
        }
        if (held.isEmpty() || !schemaReady) {
            return;
        }
        try (Connection c = settings.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + prefix + "recordings SET lease_owner = NULL, "
                     + "lease_until = NULL WHERE lease_owner = ? AND state = 'IN_PROGRESS'")) {
            s.setString(1, settings.instanceName());
            int released = s.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            log.debug("The shared outbox ({}*) gave up {} leases on closing", prefix, released);
        } catch (SQLException e) {
            log.warn("The shared outbox ({}*) could not give up its {} leases on closing; other instances take them "
                    + "over when they expire: {}", prefix, held.size(), e.getMessage());
        }
        held.clear();
    }

    @Override
    public String toString() {
        return "PostgresOutbox{tables=" + prefix + "*, instance=" + settings.instanceName() + ", lease="
                + settings.lease() + "}";
    }
}
