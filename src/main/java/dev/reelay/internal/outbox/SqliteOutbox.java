package dev.reelay.internal.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import dev.reelay.ReelayException;
import dev.reelay.internal.pipeline.MetadataJson;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxEntry.State;
import dev.reelay.webhook.ReceiverReply;
import dev.reelay.webhook.WebhookOutcome;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

/**
 * The embedded outbox: one SQLite file in WAL mode with synchronous FULL, so a write is on
 * disk when its {@code Mono} completes and a torn last write is dropped by SQLite's own
 * checksums on the next open. One thread owns the connection and commits whatever is queued in
 * one transaction (group commit), so callers never block and a burst costs one fsync. A lock
 * file keeps a second process (or a second pipeline in this one) out with a clear error.
 */
public final class SqliteOutbox implements Outbox {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.outbox");
    private static final int MAX_BATCH = 256;

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private record Op<T>(Work<T> work, MonoSink<T> sink) {
    }

    private final Path directory;
    private final Path file;
    private final Clock clock;
    private final Duration retention;
    /** Never blocks a caller: callers add and wake the writer, the writer parks when there is nothing to do. */
    private final ConcurrentLinkedQueue<Op<?>> queue = new ConcurrentLinkedQueue<>();
    private volatile Thread writer;
    private volatile boolean closed;
    private FileChannel lockChannel;
    private FileLock lock;
    private Connection connection;
    private ReelayException openFailure;
    private int finishesSincePrune;

    public SqliteOutbox(Path directory, Clock clock, Duration retention) {
        this.directory = directory;
        this.file = directory.resolve("outbox.db");
        this.clock = clock;
        this.retention = retention;
    }

    // ---- the SPI

    @Override
    public Mono<Void> accept(Recording r) {
        String json = RecordingJson.write(r);
        return write(c -> {
            long now = clock.millis();
            for (String table : List.of("files", "metadata", "deliveries")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE recording_id = ?")) {
                    s.setLong(1, r.id());
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO recordings (id, recording, state, reason, attempts, accepted_at, updated_at, next_attempt_at) "
                            + "VALUES (?, ?, 'IN_PROGRESS', NULL, 1, ?, ?, NULL) "
                            + "ON CONFLICT(id) DO UPDATE SET recording = excluded.recording, state = 'IN_PROGRESS', "
                            + "reason = NULL, attempts = 1, accepted_at = excluded.accepted_at, "
                            + "updated_at = excluded.updated_at, next_attempt_at = NULL")) {
                s.setLong(1, r.id());
                s.setString(2, json);
                s.setLong(3, now);
                s.setLong(4, now);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Mono<Void> fileStored(long id, FileOutcome f) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT OR REPLACE INTO files "
                    + "(recording_id, name, role, object_key, url, size, attempts) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, id);
                s.setString(2, f.name());
                s.setString(3, f.role().name());
                s.setString(4, f.key());
                s.setString(5, f.url());
                s.setLong(6, f.size());
                s.setInt(7, f.attempts());
                s.executeUpdate();
            }
            touch(c, id);
            return null;
        });
    }

    @Override
    public Mono<Void> metadataStored(long id, RecordingMetadata metadata, FileOutcome f) {
        byte[] body = metadata.toJson();
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT OR REPLACE INTO metadata "
                    + "(recording_id, name, object_key, url, size, attempts, body) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, id);
                s.setString(2, f.name());
                s.setString(3, f.key());
                s.setString(4, f.url());
                s.setLong(5, f.size());
                s.setInt(6, f.attempts());
                s.setBytes(7, body);
                s.executeUpdate();
            }
            touch(c, id);
            return null;
        });
    }

    @Override
    public Mono<Void> delivery(long id, WebhookOutcome o) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT OR REPLACE INTO deliveries (recording_id, endpoint, "
                    + "webhook_id, state, status_code, attempts, reply, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, id);
                s.setString(2, o.endpoint());
                s.setString(3, o.webhookId());
                s.setString(4, o.state().name());
                s.setInt(5, o.statusCode());
                s.setInt(6, o.attempts());
                s.setString(7, replyJson(o.reply()));
                s.setString(8, o.error());
                s.executeUpdate();
            }
            touch(c, id);
            return null;
        });
    }

    @Override
    public Mono<Void> finish(PipelineResult result, State state, Instant nextAttemptAt) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE recordings SET state = ?, reason = ?, "
                    + "updated_at = ?, next_attempt_at = ? WHERE id = ?")) {
                s.setString(1, state.name());
                s.setString(2, result.reason().orElse(null));
                s.setLong(3, clock.millis());
                if (nextAttemptAt == null) {
                    s.setNull(4, java.sql.Types.INTEGER);
                } else {
                    s.setLong(4, nextAttemptAt.toEpochMilli());
                }
                s.setLong(5, result.recordingId());
                s.executeUpdate();
            }
            if (++finishesSincePrune >= 1000) {
                prune(c);
            }
            return null;
        });
    }

    @Override
    public Mono<Void> retrying(long id) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE recordings SET state = 'IN_PROGRESS', "
                    + "attempts = attempts + 1, updated_at = ?, next_attempt_at = NULL WHERE id = ?")) {
                s.setLong(1, clock.millis());
                s.setLong(2, id);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Mono<OutboxEntry> entry(long id) {
        return read(c -> {
            List<OutboxEntry> found = entries(c, "WHERE id = " + id);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    @Override
    public Flux<OutboxEntry> unfinished() {
        return read(c -> entries(c, "WHERE state = 'IN_PROGRESS' ORDER BY accepted_at, id"))
                .flatMapIterable(l -> l);
    }

    @Override
    public Flux<OutboxEntry> pending() {
        return read(c -> entries(c, "WHERE state IN ('PENDING', 'PARKED', 'GAVE_UP') ORDER BY accepted_at, id"))
                .flatMapIterable(l -> l);
    }

    @Override
    public Flux<OutboxEntry> due(Instant now) {
        return read(c -> entries(c, "WHERE state IN ('PENDING', 'PARKED') AND next_attempt_at IS NOT NULL "
                + "AND next_attempt_at <= " + now.toEpochMilli() + " ORDER BY next_attempt_at, id"))
                .flatMapIterable(l -> l);
    }

    @Override
    public Mono<Void> disableEndpoint(String endpoint, String reason) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT OR REPLACE INTO disabled_endpoints (endpoint, since, reason) VALUES (?, ?, ?)")) {
                s.setString(1, endpoint);
                s.setLong(2, clock.millis());
                s.setString(3, reason);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Mono<Void> enableEndpoint(String endpoint) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM disabled_endpoints WHERE endpoint = ?")) {
                s.setString(1, endpoint);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Mono<Set<String>> disabledEndpoints() {
        return read(c -> {
            Set<String> endpoints = new HashSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT endpoint FROM disabled_endpoints")) {
                while (rs.next()) {
                    endpoints.add(rs.getString(1));
                }
            }
            return Set.copyOf(endpoints);
        });
    }

    // ---- reading entries

    /** The entries the condition picks (it names columns of recordings only), with their metadata joined in. */
    private List<OutboxEntry> entries(Connection c, String where) throws SQLException {
        List<OutboxEntry> entries = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, recording, state, reason, r.attempts, accepted_at, updated_at, "
                     + "next_attempt_at, m.name, m.object_key, m.url, m.size, m.attempts, m.body "
                     + "FROM recordings r LEFT JOIN metadata m ON m.recording_id = r.id " + where)) {
            while (rs.next()) {
                long id = rs.getLong(1);
                long next = rs.getLong(8);
                Instant nextAttemptAt = rs.wasNull() ? null : Instant.ofEpochMilli(next);
                byte[] body = rs.getBytes(14);
                FileOutcome metadataFile = body == null ? null : new FileOutcome(FileRole.METADATA, rs.getString(9),
                        rs.getString(10), rs.getString(11), rs.getLong(12), rs.getInt(13), null);
                entries.add(new OutboxEntry(RecordingJson.read(rs.getString(2)), State.valueOf(rs.getString(3)),
                        rs.getString(4), rs.getInt(5), Instant.ofEpochMilli(rs.getLong(6)),
                        Instant.ofEpochMilli(rs.getLong(7)), nextAttemptAt, files(c, id),
                        body == null ? null : RecordingMetadata.fromJson(body), metadataFile, deliveries(c, id)));
            }
        }
        return entries;
    }

    private static List<FileOutcome> files(Connection c, long id) throws SQLException {
        List<FileOutcome> files = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT role, name, object_key, url, size, attempts FROM files "
                + "WHERE recording_id = ? ORDER BY rowid")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    files.add(new FileOutcome(FileRole.valueOf(rs.getString(1)), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getLong(5), rs.getInt(6), null));
                }
            }
        }
        return files;
    }

    private static List<WebhookOutcome> deliveries(Connection c, long id) throws SQLException {
        List<WebhookOutcome> deliveries = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT endpoint, webhook_id, state, status_code, attempts, reply, "
                + "error FROM deliveries WHERE recording_id = ? ORDER BY rowid")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    deliveries.add(new WebhookOutcome(rs.getString(1), rs.getString(2),
                            WebhookOutcome.State.valueOf(rs.getString(3)), rs.getInt(4), rs.getInt(5),
                            reply(rs.getString(6)), rs.getString(7)));
                }
            }
        }
        return deliveries;
    }

    private static String replyJson(ReceiverReply r) {
        if (r == null) {
            return null;
        }
        ObjectNode n = MetadataJson.MAPPER.createObjectNode();
        n.put("status", r.status());
        n.put("message", r.message());
        n.put("recording_id", r.recordingId());
        n.put("pk", r.pk());
        n.put("action", r.action());
        return n.toString();
    }

    private static ReceiverReply reply(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode n = MetadataJson.MAPPER.readTree(json);
            return new ReceiverReply(n.path("status").textValue(), n.path("message").textValue(),
                    n.hasNonNull("recording_id") ? n.get("recording_id").asLong() : null,
                    n.hasNonNull("pk") ? n.get("pk").asLong() : null, n.path("action").textValue());
        } catch (IOException e) {
            return null;
        }
    }

    private void touch(Connection c, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE recordings SET updated_at = ? WHERE id = ?")) {
            s.setLong(1, clock.millis());
            s.setLong(2, id);
            s.executeUpdate();
        }
    }

    private void prune(Connection c) throws SQLException {
        finishesSincePrune = 0;
        long before = clock.millis() - retention.toMillis();
        try (PreparedStatement s = c.prepareStatement("DELETE FROM recordings WHERE state = 'DONE' AND updated_at < ?")) {
            s.setLong(1, before);
            int n = s.executeUpdate();
            if (n > 0) {
                for (String table : List.of("files", "metadata", "deliveries")) {
                    try (Statement d = c.createStatement()) {
                        d.executeUpdate("DELETE FROM " + table + " WHERE recording_id NOT IN (SELECT id FROM recordings)");
                    }
                }
                log.debug("Pruned {} completed recordings from the outbox", n);
            }
        }
    }

    // ---- the writer thread

    private Mono<Void> write(Work<Void> work) {
        return this.<Void>submit(work).then();
    }

    private <T> Mono<T> read(Work<T> work) {
        return submit(work);
    }

    /**
     * Queues the work for the writer thread. What follows a write runs on the parallel
     * scheduler, not on the writer: the writer only writes, and nothing downstream can stall or
     * break it.
     */
    private <T> Mono<T> submit(Work<T> work) {
        return Mono.<T>create(sink -> {
            if (closed) {
                sink.error(new ReelayException("the outbox at " + file + " is closed"));
                return;
            }
            queue.add(new Op<>(work, sink));
            LockSupport.unpark(writer());
        }).publishOn(Schedulers.parallel());
    }

    private Thread writer() {
        Thread w = writer;
        if (w == null) {
            synchronized (this) {
                w = writer;
                if (w == null) {
                    w = new Thread(this::loop, "reelay-outbox");
                    w.setDaemon(true);
                    writer = w;
                    w.start();
                }
            }
        }
        return w;
    }

    private void loop() {
        List<Op<?>> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            for (Op<?> op; batch.size() < MAX_BATCH && (op = queue.poll()) != null; ) {
                if (op.work() == null) {
                    stop = true;
                } else {
                    batch.add(op);
                }
            }
            if (!batch.isEmpty()) {
                try {
                    run(batch);
                } catch (RuntimeException | Error e) {
                    log.error("The outbox writer at {} failed; it goes on with the next writes", file, e);
                }
                batch.clear();
            } else if (!stop) {
                LockSupport.park(this);
            }
        }
        shutDown();
    }

    /** Runs a batch in one transaction, each op behind a savepoint so that one failure fails only itself. */
    private void run(List<Op<?>> batch) {
        Connection c;
        try {
            c = connection();
        } catch (ReelayException e) {
            batch.forEach(op -> op.sink().error(e));
            return;
        }
        List<Object> values = new ArrayList<>(batch.size());
        List<Throwable> errors = new ArrayList<>(batch.size());
        try {
            c.setAutoCommit(false);
            for (Op<?> op : batch) {
                try (Statement s = c.createStatement()) {
                    s.execute("SAVEPOINT op");
                }
                try {
                    values.add(op.work().run(c));
                    errors.add(null);
                    try (Statement s = c.createStatement()) {
                        s.execute("RELEASE op");
                    }
                } catch (SQLException | RuntimeException e) {
                    try (Statement s = c.createStatement()) {
                        s.execute("ROLLBACK TO op");
                        s.execute("RELEASE op");
                    }
                    values.add(null);
                    errors.add(failure(e));
                }
            }
            c.commit();
        } catch (SQLException e) {
            ReelayException failure = failure(e);
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is broken; the failure below says why
            }
            batch.forEach(op -> op.sink().error(failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), values.get(i), errors.get(i));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Op<T> op, Object value, Throwable error) {
        if (error != null) {
            op.sink().error(error);
        } else if (value == null) {
            op.sink().success();
        } else {
            op.sink().success((T) value);
        }
    }

    private ReelayException failure(Exception e) {
        String m = e.getMessage();
        return new ReelayException("the outbox at " + file + " could not write: " + (m == null ? e.toString() : m), e);
    }

    private Connection connection() {
        if (openFailure != null) {
            throw openFailure;
        }
        if (connection == null) {
            try {
                connection = open();
            } catch (ReelayException e) {
                openFailure = e;
                throw e;
            }
        }
        return connection;
    }

    private Connection open() {
        try {
            Files.createDirectories(directory);
            lockChannel = FileChannel.open(directory.resolve("outbox.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new ReelayException("the outbox at " + file + " is already open in another process or pipeline; "
                        + "give each its own directory (OutboxOptions.builder().directory(...))");
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = FULL");
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute("PRAGMA foreign_keys = OFF");
                s.execute("CREATE TABLE IF NOT EXISTS recordings (id INTEGER PRIMARY KEY, recording TEXT NOT NULL, "
                        + "state TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL, accepted_at INTEGER NOT NULL, "
                        + "updated_at INTEGER NOT NULL, next_attempt_at INTEGER)");
                s.execute("CREATE INDEX IF NOT EXISTS recordings_state ON recordings (state, next_attempt_at)");
                s.execute("CREATE TABLE IF NOT EXISTS files (recording_id INTEGER NOT NULL, name TEXT NOT NULL, "
                        + "role TEXT NOT NULL, object_key TEXT NOT NULL, url TEXT, size INTEGER NOT NULL, "
                        + "attempts INTEGER NOT NULL, PRIMARY KEY (recording_id, name))");
                s.execute("CREATE TABLE IF NOT EXISTS metadata (recording_id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                        + "object_key TEXT NOT NULL, url TEXT, size INTEGER NOT NULL, attempts INTEGER NOT NULL, "
                        + "body BLOB NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS deliveries (recording_id INTEGER NOT NULL, endpoint TEXT NOT NULL, "
                        + "webhook_id TEXT NOT NULL, state TEXT NOT NULL, status_code INTEGER NOT NULL, "
                        + "attempts INTEGER NOT NULL, reply TEXT, error TEXT, PRIMARY KEY (recording_id, endpoint))");
                s.execute("CREATE TABLE IF NOT EXISTS disabled_endpoints (endpoint TEXT PRIMARY KEY, since INTEGER NOT NULL, "
                        + "reason TEXT)");
                try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                    String check = rs.next() ? rs.getString(1) : "ok";
                    if (!"ok".equalsIgnoreCase(check)) {
                        log.warn("The outbox at {} reports damage ({}); what can be read is used", file, check);
                    }
                }
            }
            prune(c);
            log.debug("Outbox open at {}", file);
            return c;
        } catch (IOException | SQLException e) {
            releaseLock();
            throw new ReelayException("the outbox at " + file + " could not be opened: " + e.getMessage(), e);
        }
    }

    private void shutDown() {
        for (Op<?> op; (op = queue.poll()) != null; ) {
            if (op.sink() != null) {
                op.sink().error(new ReelayException("the outbox at " + file + " is closed"));
            }
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.warn("Closing the outbox at {} failed: {}", file, e.toString());
            }
        }
        releaseLock();
    }

    private void releaseLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            log.warn("Releasing the outbox lock at {} failed: {}", directory, e.toString());
        }
    }

    /** Finishes what is queued, then closes the file and frees the lock; waits a few seconds at most. */
    @Override
    public void close() {
        Thread w;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            w = writer;
        }
        if (w == null) {
            return;
        }
        queue.add(new Op<>(null, null));
        LockSupport.unpark(w);
        try {
            w.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "SqliteOutbox{" + file + "}";
    }
}
