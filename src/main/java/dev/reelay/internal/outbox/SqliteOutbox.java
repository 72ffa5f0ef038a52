package dev.reelay.internal.outbox;

import dev.reelay.ReelayException;
import dev.reelay.outbox.Outbox;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The embedded outbox: one SQLite file in WAL mode with synchronous FULL, so a write is on disk
 * when its {@code Mono} completes, and a torn last write is dropped by SQLite's checksums on the
 * next open.
 *
 * <ul>
 *   <li>Writes go through one {@link JournalWriter} thread (group commit); every caller is told
 *       the truth. After a full disk or an I/O error the connection is reset, so the journal
 *       works again once there is room.</li>
 *   <li>Reads (pages of entries, one entry) use a connection of their own on a thread that may
 *       block, so listing 100,000 entries neither stalls writes nor fills the heap.</li>
 *   <li>One process at a time: the database file itself is locked (a byte range SQLite never
 *       uses), so deleting files beside it lets nobody in, and a database deleted or replaced
 *       while open is noticed before and after every commit.</li>
 *   <li>A damaged database is moved aside as {@code outbox.db.corrupt-<time>}, what can be read
 *       is carried over into a new one, and work goes on; an entry that cannot be read is
 *       skipped and reported, and kept as it is.</li>
 *   <li>The directory is made 0700 and the files 0600 where the file system has POSIX
 *       permissions: the journal holds emails, paths and URLs.</li>
 * </ul>
 */
public final class SqliteOutbox extends JournalOutbox {

    /** Far past any byte SQLite locks (it uses bytes from 1 GiB on): ours alone. */
    private static final long LOCK_POSITION = 1L << 40;
    private static final int PRUNE_BATCH = 500;
    private static final int PRUNE_EVERY = 1000;
    /** Only this process writes the journal, so a lease is its own until finished or released. */
    private static final Duration LEASE = Duration.ofHours(1);

    private final Path directory;
    private final Path file;
    private final Duration retention;
    private final LongSupplier maxPages;
    private final JournalWriter writer;
    private final ReentrantLock readLock = new ReentrantLock();
    private volatile boolean closed;
    private volatile boolean repairNext;

    // guarded by this
    private FileChannel lockChannel;
    private FileLock lock;
    private Object fileKey;
    private int generation;

    // the writer thread's
    private Connection writeConnection;
    private int writeGeneration;
    private int finishesSincePrune;

    // guarded by readLock
    private Connection readConnection;
    private int readGeneration;

    public SqliteOutbox(Path directory, Clock clock, Duration retention) {
        this(directory, clock, retention, () -> 0);
    }

    /**
     * @param maxPages the most pages (of 4 KiB) the database may grow to, read at each (re)open; 0 for no cap
     */
    public SqliteOutbox(Path directory, Clock clock, Duration retention, LongSupplier maxPages) {
        super(new JournalSql(new SqliteDialect(), "reelay-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8), "", LEASE), clock);
        this.directory = Objects.requireNonNull(directory, "directory");
        this.file = directory.resolve("outbox.db");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.maxPages = Objects.requireNonNull(maxPages, "maxPages");
        this.writer = new JournalWriter("reelay-outbox", new WriterConnections(), this::failure,
                e -> primary(e) == SqliteDialect.CONSTRAINT);
    }

    // ---- how it writes and reads

    /** On the writer thread, batched with whatever else is queued (group commit). */
    @Override
    <T> Mono<T> write(JournalWriter.Work<T> work) {
        return writer.submit(work);
    }

    /** Every thousandth finish prunes a batch, in the same transaction. */
    @Override
    void finishing(Connection c) throws SQLException {
        if (++finishesSincePrune >= PRUNE_EVERY) {
            finishesSincePrune = 0;
            sql.prune(c, clock.millis() - retention.toMillis(), PRUNE_BATCH);
        }
    }

    @Override
    String where() {
        return "the outbox at " + file;
    }

    // ---- reading

    /**
     * Runs a read on the read connection, on a thread that may block. A read that finds the
     * database damaged asks the writer to repair it, then tries once more.
     */
    @Override
    <T> Mono<T> read(JournalWriter.Work<T> work) {
        Mono<T> once = Mono.fromCallable(() -> readNow(work)).subscribeOn(Schedulers.boundedElastic());
        return once.onErrorResume(NeedsRepair.class, e -> writer.submit(c -> null).then(once));
    }

    private <T> T readNow(JournalWriter.Work<T> work) throws SQLException {
        readLock.lock();
        try {
            if (closed) {
                throw failure(new JournalWriter.ClosedException());
            }
            int g = database(false);
            if (readConnection == null || readGeneration != g) {
                closeQuietly(readConnection);
                readConnection = connect();
                readGeneration = g;
            }
            return work.run(readConnection);
        } catch (SQLException e) {
            closeQuietly(readConnection);
            readConnection = null;
            if (damaged(e)) {
                repairNext = true;
                throw new NeedsRepair(e);
            }
            throw failure(e);
        } finally {
            readLock.unlock();
        }
    }

    /** The database must be repaired (on the writer thread) before it can be read. */
    private static final class NeedsRepair extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedsRepair(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    // ---- opening, locking, repairing

    /**
     * The current database, opened (directory, permissions, lock, schema) if need be, and repaired
     * if damaged when {@code mayRepair} (the writer thread only: nothing may write meanwhile).
     * Returns its generation, which changes whenever it is opened anew.
     */
    private synchronized int database(boolean mayRepair) throws SQLException {
        if (generation > 0 && !sameFile()) {
            log.error("The outbox at {} was deleted or replaced while open; what was written to it since is gone. "
                    + "A new journal is opened there", file);
            dropLock();
            generation = 0;
            throw new ReelayException("the outbox at " + file + " was deleted or replaced while open; "
                    + "this write was not journaled");
        }
        if (repairNext && mayRepair) {
            repairNext = false;
            repair("a damaged page was read");
            return generation;
        }
        if (repairNext) {
            throw new NeedsRepair(new SQLException("the outbox at " + file + " is damaged"));
        }
        if (generation == 0) {
            open(mayRepair);
        }
        return generation;
    }

    private void open(boolean mayRepair) throws SQLException {
        try {
            PrivateFiles.directory(directory);
            PrivateFiles.file(file);
            PrivateFiles.tighten(Path.of(file + "-wal"));
            PrivateFiles.tighten(Path.of(file + "-shm"));
            takeLock();
        } catch (IOException e) {
            dropLock();
            throw new ReelayException("the outbox at " + file + " could not be opened: " + e.getMessage(), e);
        }
        String damage;
        try (Connection c = connect()) {
            damage = check(c);
            if (damage == null) {
                JournalSchema.migrate(c, file.toString());
                pruneAll(c);
            }
        } catch (SQLException e) {
            if (!damaged(e)) {
                dropLock();
                throw e;
            }
            damage = e.getMessage();
        }
        if (damage != null) {
            if (!mayRepair) {
                repairNext = true;
                throw new NeedsRepair(new SQLException(damage));
            }
            repair(damage);
            return;
        }
        relock();
        generation++;
        log.debug("Outbox open at {}", file);
    }

    /** Null when SQLite's quick check finds the database sound, else what it found. */
    private static String check(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            String first = rs.next() ? rs.getString(1) : "ok";
            return "ok".equalsIgnoreCase(first) ? null : first;
        }
    }

    private void pruneAll(Connection c) throws SQLException {
        long before = clock.millis() - retention.toMillis();
        int total = 0;
        for (int n; (n = pruneBatch(c, before)) > 0; ) {
            total += n;
        }
        if (total > 0) {
            log.debug("Pruned {} finished recordings from the outbox at {}", total, file);
        }
    }

    private int pruneBatch(Connection c, long before) throws SQLException {
        c.setAutoCommit(false);
        try {
            int n = sql.prune(c, before, PRUNE_BATCH);
            c.commit();
            return n;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Moves the damaged database aside and carries what can be read into a new one. */
    private void repair(String damage) throws SQLException {
        closeQuietly(writeConnection);
        writeConnection = null;
        dropLock();
        Path aside = JournalSalvage.moveAside(file, clock.instant());
        try {
            PrivateFiles.file(file);
            takeLock();
        } catch (IOException e) {
            dropLock();
            throw new ReelayException("the outbox at " + file + " could not be opened anew: " + e.getMessage(), e);
        }
        JournalSalvage.Salvaged salvaged;
        try (Connection c = connect()) {
            JournalSchema.migrate(c, file.toString());
            salvaged = JournalSalvage.carryOver(c, aside);
        }
        relock();
        generation++;
        log.error("The outbox at {} was damaged ({}); it was moved aside as {} and a new journal started there, "
                + "with {} of its recordings carried over", file, oneLine(damage), aside.getFileName(), salvaged);
    }

    private void takeLock() throws IOException {
        lockChannel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock(LOCK_POSITION, 1, false);
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IOException("it is already open in another process or pipeline; give each its own directory "
                    + "(OutboxOptions.builder().directory(...))");
        }
        fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /**
     * Takes the lock again: closing any descriptor of the file (SQLite closes one with each
     * connection) drops all of this process's POSIX locks on it.
     */
    private void relock() {
        if (lock == null) {
            return;
        }
        try {
            lock.release();
            lock = lockChannel.tryLock(LOCK_POSITION, 1, false);
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            log.error("The outbox at {} lost its lock to another process; it stops writing there", file);
            generation = 0;
        }
    }

    private void dropLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            log.warn("Releasing the outbox lock at {} failed: {}", file, e.toString());
        }
        lock = null;
        lockChannel = null;
        fileKey = null;
    }

    /** Whether the path still names the file this journal opened. */
    private boolean sameFile() {
        try {
            return Objects.equals(fileKey, Files.readAttributes(file, BasicFileAttributes.class).fileKey());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true; // cannot tell: a failing write will say more
        }
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = FULL");
            s.execute("PRAGMA busy_timeout = 5000");
            long pages = maxPages.getAsLong();
            if (pages > 0) {
                s.execute("PRAGMA max_page_count = " + pages);
            }
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("Closing a connection to the outbox at {} failed: {}", file, e.toString());
        }
        synchronized (this) {
            relock();
        }
    }

    // ---- failures

    static int primary(SQLException e) {
        return e.getErrorCode() & 0xff;
    }

    private static boolean damaged(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                int code = primary((SQLException) c);
                if (code == SqliteDialect.CORRUPT || code == SqliteDialect.NOT_A_DATABASE) {
                    return true;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** What a caller is told: the journal's place and what went wrong, in one line. */
    private ReelayException failure(Throwable t) {
        if (t instanceof ReelayException) {
            return (ReelayException) t;
        }
        if (t instanceof JournalWriter.ClosedException) {
            return new ReelayException("the outbox at " + file + " is closed");
        }
        if (t instanceof SQLException) {
            int code = primary((SQLException) t);
            String hint = code == SqliteDialect.FULL ? " (the disk, or the journal's size cap, is full)" : "";
            return new ReelayException("the outbox at " + file + " could not write: " + oneLine(t.getMessage()) + hint, t);
        }
        return new ReelayException("the outbox at " + file + " failed: " + oneLine(String.valueOf(t)), t);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    // ---- the writer's connection

    private final class WriterConnections implements JournalWriter.Connections {

        @Override
        public Connection connection() {
            try {
                int g = database(true);
                if (writeConnection == null || writeGeneration != g) {
                    closeQuietly(writeConnection);
                    writeConnection = connect();
                    writeGeneration = g;
                }
                return writeConnection;
            } catch (SQLException e) {
                throw failure(e);
            }
        }

        @Override
        public void verify() {
            synchronized (SqliteOutbox.this) {
                if (!sameFile()) {
                    throw new ReelayException("the outbox at " + file + " was deleted or replaced while this write "
                            + "was committed; it was not journaled");
                }
            }
        }

        @Override
        public void reset(Throwable failure) {
            Connection c = writeConnection;
            writeConnection = null;
            closeQuietly(c);
            if (damaged(failure)) {
                repairNext = true;
            }
        }

        @Override
        public void shutDown() {
            closeQuietly(writeConnection);
            writeConnection = null;
            readLock.lock();
            try {
                closeQuietly(readConnection);
                readConnection = null;
            } finally {
                readLock.unlock();
            }
            synchronized (SqliteOutbox.this) {
                dropLock();
                generation = 0;
            }
        }
    }

    /** Finishes what is queued, then closes the file and frees the lock; waits a few seconds at most. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.close(Duration.ofSeconds(10).toMillis());
        // reads may have opened the journal although nothing was written
        readLock.lock();
        try {
            closeQuietly(readConnection);
            readConnection = null;
        } finally {
            readLock.unlock();
        }
        synchronized (this) {
            dropLock();
            generation = 0;
        }
    }

    @Override
    public String toString() {
        return "SqliteOutbox{" + file + "}";
    }
}
