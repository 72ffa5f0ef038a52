package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.support.Recordings;
import dev.reelay.webhook.ReceiverReply;
import dev.reelay.webhook.WebhookOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The embedded journal on its own: what it keeps, across reopen, torn writes and rival processes. */
class JournalTest {

    static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    SqliteOutbox open(Path where) {
        return new SqliteOutbox(where, Clock.systemUTC(), Duration.ofDays(7));
    }

    static Recording recording(long id) {
        return Recordings.base(id).title("Réunion 🎬 " + id)
                .video(Path.of("/data/" + id + "/video.mkv"))
                .file(RecordingFile.of(FileRole.OTHER, Path.of("/data/" + id + "/notes"), "notes.txt"))
                .build();
    }

    static FileOutcome stored(long id, String name) {
        return new FileOutcome(FileRole.VIDEO, name, id + "/" + name, "http://s3/b/" + id + "/" + name, 1234, 2, null);
    }

    @Test
    void whatIsWrittenIsReadBackAfterReopening() {
        SqliteOutbox outbox = open(dir);
        StepVerifier.create(outbox.accept(recording(1))
                        .then(outbox.fileStored(1, stored(1, "video.mkv")))
                        .then(outbox.delivery(1, new WebhookOutcome("https://h/hook", "msg_1", WebhookOutcome.State.PARKED,
                                404, 1, new ReceiverReply("error", "No user found", null, null, null), "status 404"))))
                .expectComplete()
                .verify(LIMIT);
        outbox.close();

        SqliteOutbox again = open(dir);
        StepVerifier.create(again.unfinished())
                .assertNext(e -> {
                    assertThat(e.recording()).isEqualTo(recording(1));
                    assertThat(e.state()).isEqualTo(OutboxEntry.State.IN_PROGRESS);
                    assertThat(e.files()).containsExactly(stored(1, "video.mkv"));
                    assertThat(e.deliveries()).singleElement().satisfies(d -> {
                        assertThat(d.state()).isEqualTo(WebhookOutcome.State.PARKED);
                        assertThat(d.reply().message()).isEqualTo("No user found");
                    });
                    assertThat(e.attempts()).isEqualTo(1);
                })
                .expectComplete()
                .verify(LIMIT);
        again.close();
    }

    @Test
    void acceptingARecordingAgainStartsItAfresh() {
        SqliteOutbox outbox = open(dir);
        StepVerifier.create(outbox.accept(recording(2))
                        .then(outbox.fileStored(2, stored(2, "video.mkv")))
                        .then(outbox.accept(recording(2)))
                        .then(outbox.entry(2)))
                .assertNext(e -> assertThat(e.files()).isEmpty())
                .expectComplete()
                .verify(LIMIT);
        outbox.close();
    }

    @Test
    void concurrentWritersInOneJvmAllLand() {
        SqliteOutbox outbox = open(dir);
        StepVerifier.create(Flux.range(1, 400)
                        .flatMap(i -> Mono.defer(() -> outbox.accept(recording(i))
                                .then(outbox.fileStored(i, stored(i, "video.mkv")))
                                .then(outbox.fileStored(i, stored(i, "notes.txt"))))
                                .subscribeOn(Schedulers.parallel()), 64)
                        .then(outbox.unfinished().count()))
                .expectNext(400L)
                .expectComplete()
                .verify(LIMIT);
        StepVerifier.create(outbox.unfinished().map(e -> e.files().size()).distinct())
                .expectNext(2)
                .expectComplete()
                .verify(LIMIT);
        outbox.close();
    }

    @Test
    void aSecondPipelineInThisProcessIsRefusedClearly() {
        SqliteOutbox first = open(dir);
        SqliteOutbox second = open(dir);
        StepVerifier.create(first.accept(recording(3))).expectComplete().verify(LIMIT);
        StepVerifier.create(second.entry(3))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("already open in another process or pipeline")
                        .hasMessageContaining(dir.toString()))
                .verify(LIMIT);
        first.close();
        second.close();
    }

    @Test
    void aSecondProcessIsRefusedClearly() throws Exception {
        SqliteOutbox outbox = open(dir);
        StepVerifier.create(outbox.accept(recording(4))).expectComplete().verify(LIMIT);

        String refused = runProbe();
        outbox.close();
        String opened = runProbe();

        assertThat(refused).startsWith("REFUSED").contains("already open in another process");
        assertThat(opened).isEqualTo("OPENED");
    }

    private String runProbe() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(javaCommand(), "-cp", System.getProperty("java.class.path"),
                OutboxProbe.class.getName(), dir.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        return out.lines().filter(l -> l.startsWith("OPENED") || l.startsWith("REFUSED")).findFirst().orElse(out);
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void aTornLastWriteIsDroppedAndTheRestIsKept() throws Exception {
        Path live = dir.resolve("live");
        SqliteOutbox outbox = open(live);
        StepVerifier.create(Flux.range(1, 20).concatMap(i -> outbox.accept(recording(i))).then())
                .expectComplete().verify(LIMIT);
        StepVerifier.create(outbox.fileStored(20, stored(20, "video.mkv"))).expectComplete().verify(LIMIT);
        // As after a power cut: the database and its write-ahead log as they are on disk, the last write torn.
        Path copy = Files.createDirectories(dir.resolve("after-power-cut"));
        Files.copy(live.resolve("outbox.db"), copy.resolve("outbox.db"), StandardCopyOption.REPLACE_EXISTING);
        byte[] wal = Files.readAllBytes(live.resolve("outbox.db-wal"));
        assertThat(wal.length).isGreaterThan(4096);
        Files.write(copy.resolve("outbox.db-wal"), java.util.Arrays.copyOf(wal, wal.length - 700));
        outbox.close();

        SqliteOutbox recovered = open(copy);
        StepVerifier.create(recovered.unfinished().collectList())
                .assertNext(entries -> {
                    assertThat(entries).hasSize(20);
                    assertThat(entries.get(19).files()).isEmpty();
                })
                .expectComplete()
                .verify(LIMIT);
        StepVerifier.create(recovered.accept(recording(21)).then(recovered.unfinished().count()))
                .expectNext(21L)
                .expectComplete()
                .verify(LIMIT);
        recovered.close();
    }

    @Test
    void aFileThatIsNoDatabaseGivesAClearErrorNotACrash() throws Exception {
        Files.writeString(dir.resolve("outbox.db"), "this is not a database, it is a text file long enough to matter ".repeat(100));
        SqliteOutbox outbox = open(dir);
        StepVerifier.create(outbox.accept(recording(1)))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("the outbox at " + dir.resolve("outbox.db")))
                .verify(LIMIT);
        outbox.close();
    }

    @Test
    void writesAfterCloseFailClearly() {
        SqliteOutbox outbox = open(dir);
        outbox.close();
        StepVerifier.create(outbox.accept(recording(1)))
                .expectErrorMessage("the outbox at " + dir.resolve("outbox.db") + " is closed")
                .verify(LIMIT);
        assertThat(List.of(outbox.toString())).allMatch(s -> s.contains("outbox.db"));
    }
}
