package dev.reelay.internal.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

/**
 * The one thread that writes a journal: callers queue work and never block; the thread runs
 * whatever is queued in one transaction (group commit), so a burst costs one fsync.
 *
 * <p>Every caller is answered exactly once, truthfully. Work that fails on its own (a lease
 * lost, a constraint) is rolled back to its savepoint and fails alone. A failure of the
 * database itself (a full disk, an I/O error, a corrupt page) rolls the whole transaction back,
 * fails every caller of the batch, and hands the connection back to be reset, so that the next
 * batch starts on a fresh one. Whatever is thrown, {@code Error}s included, the batch's callers
 * hear of it. Work queued after {@link #close} is failed at once; {@code close} answers
 * everything still queued.
 */
final class JournalWriter {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.outbox");
    private static final int MAX_BATCH = 256;

    /** Work on the journal's connection, inside the writer's transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Where the writer gets its connection, and what it does when a batch broke it. */
    interface Connections {
        /** The connection to write on, opened if need be; throws when the journal cannot be opened. */
        Connection connection();

        /**
         * Checked after each commit, before anyone is answered: throws if what was committed is
         * not in the journal after all (its file was deleted or replaced meanwhile).
         */
        void verify();

        /** The connection is suspect after this failure: close it, so that the next batch opens a new one. */
        void reset(Throwable failure);

        /** Called on the writer thread when it stops: close what is open. */
        void shutDown();
    }

    private static final class Op<T> {
        final Work<T> work;
        final MonoSink<T> sink;
        final AtomicBoolean answered = new AtomicBoolean();

        Op(Work<T> work, MonoSink<T> sink) {
            this.work = work;
            this.sink = sink;
        }

        @SuppressWarnings("unchecked")
        void succeed(Object value) {
            if (answered.compareAndSet(false, true)) {
                if (value == null) {
                    sink.success();
                } else {
                    sink.success((T) value);
                }
            }
        }

        void fail(Throwable e) {
            if (answered.compareAndSet(false, true)) {
                sink.error(e);
            }
        }
    }

    private final String name;
    private final Connections connections;
    private final Function<Throwable, RuntimeException> describe;
    private final Function<SQLException, Boolean> ownFailure;
    private final ConcurrentLinkedQueue<Op<?>> queue = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    private volatile boolean closed;

    /**
     * @param name        the thread's name
     * @param connections where the connection comes from
     * @param describe    turns any failure into the exception callers get
     * @param ownFailure  whether a failed statement failed on its own (a constraint) rather than the database
     */
    JournalWriter(String name, Connections connections, Function<Throwable, RuntimeException> describe,
                  Function<SQLException, Boolean> ownFailure) {
        this.name = name;
        this.connections = connections;
        this.describe = describe;
        this.ownFailure = ownFailure;
    }

    /**
     * Queues the work. What follows it runs on the parallel scheduler, not on the writer: the
     * writer only writes, and nothing downstream can stall or break it.
     */
    <T> Mono<T> submit(Work<T> work) {
        return Mono.<T>create(sink -> {
            Op<T> op = new Op<>(work, sink);
            if (closed) {
                op.fail(describe.apply(new ClosedException()));
                return;
            }
            queue.add(op);
            LockSupport.unpark(thread());
            if (closed && queue.remove(op)) {
                // closed meanwhile and not taken by the writer, which may have stopped: answered here
                op.fail(describe.apply(new ClosedException()));
            }
        }).publishOn(Schedulers.parallel());
    }

    /** The writer thread, started on first use, and started again should it ever have died. */
    private Thread thread() {
        Thread t = thread;
        if (t == null || !t.isAlive() && !closed) {
            synchronized (this) {
                t = thread;
                if ((t == null || !t.isAlive()) && !closed) {
                    t = new Thread(this::loop, name);
                    t.setDaemon(true);
                    thread = t;
                    t.start();
                }
            }
        }
        return t;
    }

    private void loop() {
        List<Op<?>> batch = new ArrayList<>();
        try {
            while (true) {
                for (Op<?> op; batch.size() < MAX_BATCH && (op = queue.poll()) != null; ) {
                    batch.add(op);
                }
                if (!batch.isEmpty()) {
                    runAnswered(batch);
                    batch.clear();
                } else if (closed) {
                    break;
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            try {
                connections.shutDown();
            } catch (RuntimeException | Error e) {
                log.warn("Closing the journal {} failed: {}", name, e.toString());
            }
            failQueued();
        }
    }

    /** Runs a batch; whatever happens, every caller of it is answered. */
    private void runAnswered(List<Op<?>> batch) {
        try {
            run(batch);
        } catch (Throwable t) {
            if (t instanceof Error) {
                log.error("A write to the journal {} failed; its batch is rolled back and its callers told", name, t);
            }
            try {
                connections.reset(t);
            } catch (RuntimeException | Error e) {
                log.warn("Resetting the journal {} failed: {}", name, e.toString());
            }
            RuntimeException failure = describe.apply(t);
            batch.forEach(op -> op.fail(failure));
        }
    }

    /** One transaction, each op behind a savepoint; throws when the database itself failed. */
    private void run(List<Op<?>> batch) throws SQLException {
        Connection c = connections.connection();
        List<Object> values = new ArrayList<>(batch.size());
        List<Throwable> errors = new ArrayList<>(batch.size());
        boolean committed = false;
        try {
            c.setAutoCommit(false);
            for (Op<?> op : batch) {
                execute(c, "SAVEPOINT op");
                try {
                    values.add(op.work.run(c));
                    errors.add(null);
                    execute(c, "RELEASE op");
                } catch (SQLException e) {
                    if (!ownFailure.apply(e)) {
                        throw e;
                    }
                    undo(c);
                    values.add(null);
                    errors.add(describe.apply(e));
                } catch (RuntimeException e) {
                    undo(c);
                    values.add(null);
                    errors.add(e instanceof dev.reelay.ReelayException ? e : describe.apply(e));
                }
            }
            c.commit();
            committed = true;
            connections.verify();
        } finally {
            if (!committed) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is reset by the caller; the failure that got us here is what callers hear
                }
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            Op<?> op = batch.get(i);
            if (errors.get(i) != null) {
                op.fail(errors.get(i));
            } else {
                op.succeed(values.get(i));
            }
        }
    }

    private static void undo(Connection c) throws SQLException {
        execute(c, "ROLLBACK TO op");
        execute(c, "RELEASE op");
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void failQueued() {
        for (Op<?> op; (op = queue.poll()) != null; ) {
            op.fail(describe.apply(new ClosedException()));
        }
    }

    /**
     * Answers what is queued, then stops the thread and closes the connection; waits up to
     * {@code waitMillis} for that. Writes queued afterwards fail at once.
     */
    void close(long waitMillis) {
        closed = true;
        Thread t = thread;
        if (t == null) {
            failQueued();
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("The journal writer {} did not stop within {} ms", name, waitMillis);
        }
    }

    /** The journal was closed before the work could run. */
    static final class ClosedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClosedException() {
            super("closed", null, false, false);
        }
    }
}
