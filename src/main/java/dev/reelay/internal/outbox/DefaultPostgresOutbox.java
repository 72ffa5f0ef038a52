package dev.reelay.internal.outbox;

import dev.reelay.ReelayException;
import dev.reelay.outbox.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
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
 *   <li>Leases are given and checked by the database's clock; a heartbeat, on a thread of its
 *       own, renews the leases this instance holds every third of the lease; a write renews its
 *       own lease too.</li>
 *   <li>No transaction outlives a lease: {@code idle_in_transaction_session_timeout} is set to
 *       the lease in each, so an instance paused mid-transaction frees its rows when its lease
 *       would have expired anyway.</li>
 *   <li>Serialization failures and deadlocks broken by the server are run again, a few times.</li>
 *   <li>Closing gives up the leases still held, so other instances take over at once.</li>
 * </ul>
 */
public final class DefaultPostgresOutbox extends JournalOutbox {

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
    private final Scheduler jdbc;
    /** The heartbeat's own thread: renewals never wait behind a queue of writes. */
    private final Scheduler heartbeatThread;
    private final String transactionSettings;
    private final AtomicLong finishes = new AtomicLong();
    private final Object schemaLock = new Object();
    private volatile boolean schemaReady;
    private volatile boolean closed;
    // guarded by this
    private Disposable heartbeat;

    public DefaultPostgresOutbox(Settings settings) {
        super(new JournalSql(new PostgresDialect(), settings.instanceName(), settings.qualifiedPrefix(), settings.lease()),
                settings.clock());
        this.settings = settings;
        this.prefix = settings.qualifiedPrefix();
        this.jdbc = Schedulers.newBoundedElastic(settings.connections(), 100_000, "reelay-postgres", 60, true);
        this.heartbeatThread = Schedulers.newBoundedElastic(1, 16, "reelay-postgres-heartbeat", 60, true);
        this.transactionSettings = "SET LOCAL idle_in_transaction_session_timeout = " + settings.lease().toMillis();
    }

    // ---- how it writes and reads

    /** A transaction of its own, on a pooled connection, on the outbox's JDBC scheduler. */
    @Override
    <T> Mono<T> write(JournalWriter.Work<T> work) {
        return transaction(work);
    }

    @Override
    <T> Mono<T> read(JournalWriter.Work<T> work) {
        return transaction(work);
    }

    /** Every thousandth finish (and the first) prunes, in small batches after it. */
    @Override
    Mono<Void> finished() {
        return finishes.getAndIncrement() % PRUNE_EVERY == 0 ? prune() : Mono.empty();
    }

    @Override
    void leaseTaken() {
        startHeartbeat();
    }

    @Override
    String where() {
        return "the shared outbox (" + prefix + "*)";
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
        return transaction(c -> sql.renew(c, leases.keySet()), heartbeatThread)
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
        return transaction(work, jdbc);
    }

    private <T> Mono<T> transaction(JournalWriter.Work<T> work, Scheduler on) {
        return Mono.defer(() -> closed ? Mono.<T>error(failure(new JournalWriter.ClosedException()))
                        : Mono.fromCallable(() -> inTransaction(work)).subscribeOn(on))
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
        heartbeatThread.dispose();
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
