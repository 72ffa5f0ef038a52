package dev.reelay.internal.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.ReelayException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The journal's writer thread: every caller answered, truthfully, whatever a batch throws. */
class JournalWriterTest {

    static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    Connection connection;
    final AtomicInteger resets = new AtomicInteger();
    JournalWriter writer;

    @BeforeEach
    void open() throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE t (v INTEGER PRIMARY KEY)");
        }
        writer = new JournalWriter("test-writer", new JournalWriter.Connections() {
            @Override
            public Connection connection() {
                return connection;
            }

            @Override
            public void verify() {
            }

            @Override
            public void reset(Throwable failure) {
                resets.incrementAndGet();
            }

            @Override
            public void shutDown() {
            }
        }, t -> t instanceof ReelayException ? (ReelayException) t : new ReelayException("journal: " + t, t),
                e -> e.getErrorCode() == SqliteDialect.CONSTRAINT);
    }

    @AfterEach
    void close() throws SQLException {
        writer.close(5000);
        connection.close();
    }

    Mono<Void> insert(int v) {
        return writer.<Void>submit(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES (" + v + ")");
            }
            return null;
        });
    }

    int count() throws SQLException {
        try (Statement s = connection.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Holds the writer on its thread until released, so that what is queued meanwhile forms one batch. */
    CountDownLatch holdTheWriter() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        writer.<Void>submit(c -> {
            running.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }).subscribe();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void anErrorInABatchFailsEveryCallerOfItAndNothingOfItIsKept() throws Exception {
        CountDownLatch release = holdTheWriter();
        List<Mono<Void>> batch = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            batch.add(insert(i).cache());
        }
        batch.add(writer.<Void>submit(c -> {
            throw new StackOverflowError("a bug in a write");
        }).cache());
        batch.forEach(w -> w.subscribe(v -> { }, e -> { }));
        release.countDown();

        for (Mono<Void> w : batch) {
            StepVerifier.create(w)
                    .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("a bug in a write"))
                    .verify(LIMIT);
        }
        assertThat(count()).as("the batch was rolled back whole").isZero();
        assertThat(resets.get()).as("the connection is suspect").isEqualTo(1);
        StepVerifier.create(insert(99)).as("the writer goes on").expectComplete().verify(LIMIT);
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void aWriteThatFailsOnItsOwnFailsAloneAndTheRestOfItsBatchIsKept() throws Exception {
        StepVerifier.create(insert(5)).expectComplete().verify(LIMIT);
        CountDownLatch release = holdTheWriter();
        Mono<Void> before = insert(1).cache();
        Mono<Void> duplicate = insert(5).cache();
        Mono<Void> after = insert(2).cache();
        List.of(before, duplicate, after).forEach(w -> w.subscribe(v -> { }, e -> { }));
        release.countDown();

        StepVerifier.create(before).expectComplete().verify(LIMIT);
        StepVerifier.create(duplicate).expectError(ReelayException.class).verify(LIMIT);
        StepVerifier.create(after).expectComplete().verify(LIMIT);
        assertThat(count()).isEqualTo(3);
        assertThat(resets.get()).isZero();
    }

    @Test
    void closeAnswersWhatWasQueuedAndRefusesWhatComesAfter() throws Exception {
        CountDownLatch release = holdTheWriter();
        List<Mono<Void>> queued = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            Mono<Void> w = insert(i).cache();
            w.subscribe(v -> { }, e -> { });
            queued.add(w);
        }
        Thread closing = new Thread(() -> writer.close(10_000));
        closing.start();
        release.countDown();
        closing.join(15_000);

        for (Mono<Void> w : queued) {
            StepVerifier.create(w).expectComplete().verify(LIMIT);
        }
        StepVerifier.create(insert(100)).expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed")).verify(LIMIT);
        assertThat(count()).isEqualTo(50);
    }
}
