package dev.reelay.outbox;

import static dev.reelay.outbox.JournalTest.DONE;
import static dev.reelay.outbox.JournalTest.one;
import static dev.reelay.outbox.JournalTest.write;
import static dev.reelay.outbox.SharedCrashTest.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.support.ChildJvm;
import dev.reelay.support.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Fencing: an instance stopped with SIGSTOP for longer than its lease, while it writes, and then
 * continued (SIGCONT) cannot overwrite the progress of the instance that took its recording
 * over: its writes fail with LeaseLostException and change nothing.
 */
class FencingTest {

    static final long ID = 42;
    static final Duration LEASE = Duration.ofMillis(1500);

    final String schema = PostgresServer.freshSchema();
    final PostgresServer postgres = PostgresServer.shared();

    @Test
    void aPausedInstanceThatWasTakenOverCannotOverwriteTheProgressOfTheOneThatTookOver() throws Exception {
        ChildJvm paused = ChildJvm.start("paused", FencingWorker.class, "128m",
                List.of(postgres.jdbcUrl(), schema, Long.toString(LEASE.toMillis()), Long.toString(ID)));
        try (HikariDataSource dataSource = postgres.dataSource(4)) {
            Outbox taker = PostgresOutbox.builder(dataSource).schema(schema).instanceName("taker").lease(LEASE).build();
            try {
                assertThat(paused.await(l -> l.startsWith("wrote "), 3, Duration.ofSeconds(60)))
                        .as("%s", paused.output()).isTrue();
                paused.signal("STOP");

                // its lease runs out (by the database's clock: its heartbeat is stopped with it), and the taker claims
                AtomicReference<Admission> taken = new AtomicReference<>();
                assertThat(awaitUntil(Duration.ofSeconds(60), () -> {
                    Admission a = taker.claim(ID).block(Duration.ofSeconds(30));
                    taken.set(a);
                    return a.kind() == Admission.Kind.CONTINUED;
                })).as("taken over; last answer %s", taken.get()).isTrue();
                Lease lease = taken.get().lease();
                assertThat(lease.token()).isEqualTo(Long.parseLong(paused.output().get(0).split(" ")[1]) + 1);
                List<MultipartProgress.Part> storedBefore = taken.get().entry().uploads().get("video.mkv").parts();
                assertThat(storedBefore).as("what the paused one stored is kept").hasSizeGreaterThanOrEqualTo(3);
                int lastBefore = storedBefore.stream().mapToInt(MultipartProgress.Part::number).max().orElseThrow();

                write(taker.multipartStarted(lease, "video.mkv",
                        new MultipartProgress("up-taker", 5 << 20, 50 << 20, 1700, List.of())));
                for (int n = 1; n <= 4; n++) {
                    write(taker.partStored(lease, "video.mkv", "up-taker",
                            new MultipartProgress.Part(n, "\"taker-" + n + "\"", 5 << 20)));
                }
                write(taker.fileStored(lease, new FileOutcome(FileRole.TRANSCRIPT, "transcript.txt", ID + "/transcript.txt",
                        "http://s3/b/" + ID + "/transcript.txt", 100, 1, null)));
                OutboxEntry progress = one(taker.entry(ID));

                paused.signal("CONT");
                assertThat(paused.await(l -> l.equals("END"), Duration.ofSeconds(60))).as("%s", paused.output()).isTrue();
                List<String> out = paused.output();
                assertThat(out).as("its writes after it was taken over are refused").contains("lost fileStored",
                        "lost multipartStarted", "lost delivery", "lost finish");
                assertThat(out.stream().filter(l -> l.startsWith("lost ")).count()).isGreaterThanOrEqualTo(7);
                // every write it was told succeeded had been committed before the takeover (its output may come late)
                assertThat(out).filteredOn(l -> l.startsWith("wrote "))
                        .allSatisfy(l -> assertThat(Integer.parseInt(l.substring(6))).isLessThanOrEqualTo(lastBefore));

                OutboxEntry after = one(taker.entry(ID));
                assertThat(after).usingRecursiveComparison().ignoringFields("updatedAt").isEqualTo(progress);
                assertThat(after.uploads().get("video.mkv").uploadId()).isEqualTo("up-taker");
                assertThat(after.uploads().get("video.mkv").parts()).extracting(MultipartProgress.Part::eTag)
                        .allSatisfy(e -> assertThat(e).startsWith("\"taker-"));
                assertThat(after.holder()).startsWith("taker-");
                assertThat(token()).isEqualTo(lease.token());

                write(taker.finish(lease, DONE, OutboxEntry.State.DONE, null));
                assertThat(one(taker.entry(ID)).state()).isEqualTo(OutboxEntry.State.DONE);
            } finally {
                taker.close();
            }
        } finally {
            paused.kill(); // stopped or not, SIGKILL ends it
        }
    }

    long token() throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT lease_token FROM " + schema + ".reelay_recordings WHERE id = " + ID)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
