package dev.reelay.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.support.LogCapture;
import dev.reelay.support.Recordings;
import dev.reelay.webhook.ReceiverReply;
import dev.reelay.webhook.WebhookOutcome;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The embedded journal on its own: what it keeps, and that its answers are true, across faults of every kind. */
class JournalTest {

    static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static SqliteOutbox open(Path where) {
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

    static <T> T one(Mono<T> mono) {
        AtomicReference<T> value = new AtomicReference<>();
        StepVerifier.create(mono).consumeNextWith(value::set).expectComplete().verify(LIMIT);
        return value.get();
    }

    static Admission accept(Outbox outbox, long id) {
        return one(outbox.accept(recording(id), "v1"));
    }

    static void write(Mono<Void> write) {
        StepVerifier.create(write).expectComplete().verify(LIMIT);
    }

    static final PipelineResult DONE = PipelineResult.notAccepted(recording(0), "ignored");

    @Test
    void whatIsWrittenIsReadBackAfterReopening() {
        SqliteOutbox outbox = open(dir);
        Lease lease = accept(outbox, 1).lease();
        write(outbox.fileStored(lease, stored(1, "video.mkv")));
        write(outbox.multipartStarted(lease, "notes.txt", new MultipartProgress("up-1", 5 << 20, 12 << 20, 1700, List.of())));
        write(outbox.partStored(lease, "notes.txt", "up-1", new MultipartProgress.Part(1, "\"e1\"", 5 << 20)));
        write(outbox.partStored(lease, "notes.txt", "up-old", new MultipartProgress.Part(2, "\"e2\"", 5 << 20)));
        write(outbox.delivery(lease, new WebhookOutcome("https://h/hook", "msg_1", WebhookOutcome.State.PARKED,
                404, 1, new ReceiverReply("error", "No user found", null, null, null), "status 404")));
        outbox.close();

        SqliteOutbox again = open(dir);
        StepVerifier.create(again.unfinished())
                .assertNext(e -> {
                    assertThat(e.recording()).isEqualTo(recording(1));
                    assertThat(e.version()).isEqualTo("v1");
                    assertThat(e.state()).isEqualTo(OutboxEntry.State.IN_PROGRESS);
                    assertThat(e.files()).containsExactly(stored(1, "video.mkv"));
                    assertThat(e.uploads()).containsOnlyKeys("notes.txt");
                    assertThat(e.uploads().get("notes.txt").parts()).as("a part of another upload is dropped")
                            .containsExactly(new MultipartProgress.Part(1, "\"e1\"", 5 << 20));
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
    void theSameFilesContinueWhatWasDoneAndOtherFilesStartAfresh() {
        SqliteOutbox outbox = open(dir);
        Admission first = accept(outbox, 2);
        assertThat(first.kind()).isEqualTo(Admission.Kind.STARTED);
        write(outbox.fileStored(first.lease(), stored(2, "video.mkv")));
        write(outbox.finish(first.lease(), DONE, OutboxEntry.State.PENDING, null));

        Admission same = accept(outbox, 2);
        assertThat(same.kind()).isEqualTo(Admission.Kind.CONTINUED);
        assertThat(same.entry().files()).containsExactly(stored(2, "video.mkv"));
        assertThat(same.entry().attempts()).isEqualTo(2);
        assertThat(same.lease().token()).isGreaterThan(first.lease().token());
        write(outbox.finish(same.lease(), DONE, OutboxEntry.State.DONE, null));

        assertThat(accept(outbox, 2).kind()).as("complete, same files").isEqualTo(Admission.Kind.COMPLETED);

        Admission other = one(outbox.accept(recording(2), "v2"));
        assertThat(other.kind()).isEqualTo(Admission.Kind.STARTED);
        assertThat(other.entry().files()).isEmpty();
        assertThat(other.entry().attempts()).isEqualTo(1);
        outbox.close();
    }

    @Test
    void aRecordingThisInstanceRunsIsHeldAndAStaleLeaseCannotWrite() {
        SqliteOutbox outbox = open(dir);
        Admission running = accept(outbox, 3);
        assertThat(accept(outbox, 3).kind()).isEqualTo(Admission.Kind.HELD);
        assertThat(one(outbox.claim(3)).kind()).isEqualTo(Admission.Kind.HELD);
        write(outbox.finish(running.lease(), DONE, OutboxEntry.State.PENDING, null));

        StepVerifier.create(outbox.fileStored(running.lease(), stored(3, "video.mkv")))
                .expectError(LeaseLostException.class)
                .verify(LIMIT);
        Admission again = one(outbox.claim(3));
        assertThat(again.kind()).isEqualTo(Admission.Kind.CONTINUED);
        StepVerifier.create(outbox.fileStored(running.lease(), stored(3, "video.mkv")))
                .as("the first claim's token is stale now")
                .expectError(LeaseLostException.class)
                .verify(LIMIT);
        write(outbox.fileStored(again.lease(), stored(3, "video.mkv")));
        assertThat(one(outbox.entry(3)).files()).hasSize(1);
        outbox.close();
    }

    @Test
    void concurrentWritersInOneJvmAllLand() {
        SqliteOutbox outbox = open(dir);
        StepVerifier.create(Flux.range(1, 400)
                        .flatMap(i -> Mono.defer(() -> outbox.accept(recording(i), "v1")
                                .flatMap(a -> outbox.fileStored(a.lease(), stored(i, "video.mkv"))
                                        .then(outbox.fileStored(a.lease(), stored(i, "notes.txt")))))
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
        accept(first, 3);
        StepVerifier.create(second.entry(3))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("already open in another process or pipeline")
                        .hasMessageContaining(dir.toString()))
                .verify(LIMIT);
        first.close();
        second.close();
    }

    @Test
    void aSecondProcessIsRefusedWhateverIsDeletedBesideTheDatabase() throws Exception {
        SqliteOutbox outbox = open(dir);
        accept(outbox, 4);
        // housekeeping that removes lock files does not let a second process in: the database itself is locked
        Files.writeString(dir.resolve("outbox.lock"), "left by an older version");
        Files.delete(dir.resolve("outbox.lock"));

        String refused = runProbe();
        outbox.close();
        String opened = runProbe();

        assertThat(refused).startsWith("REFUSED").contains("already open in another process");
        assertThat(opened).isEqualTo("OPENED");
    }

    @Test
    void aDatabaseDeletedWhileOpenIsNoticedAndNotWrittenTo() throws Exception {
        SqliteOutbox outbox = open(dir);
        Lease lease = accept(outbox, 5).lease();
        for (String name : List.of("outbox.db", "outbox.db-wal", "outbox.db-shm")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        try (LogCapture logs = LogCapture.start()) {
            StepVerifier.create(outbox.fileStored(lease, stored(5, "video.mkv")))
                    .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("deleted or replaced while open"))
                    .verify(LIMIT);
            assertThat(logs.all()).contains("was deleted or replaced while open");
        }
        // a new journal starts there; what the deleted one held is gone, and no write claims otherwise
        assertThat(accept(outbox, 6).kind()).isEqualTo(Admission.Kind.STARTED);
        StepVerifier.create(outbox.entry(5)).expectComplete().verify(LIMIT);
        assertThat(dir.resolve("outbox.db")).exists();
        outbox.close();
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
        List<Lease> leases = Flux.range(1, 20).concatMap(i -> outbox.accept(recording(i), "v1"))
                .map(Admission::lease).collectList().block(LIMIT);
        write(outbox.fileStored(leases.get(19), stored(20, "video.mkv")));
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
        StepVerifier.create(recovered.accept(recording(21), "v1").then(recovered.unfinished().count()))
                .expectNext(21L)
                .expectComplete()
                .verify(LIMIT);
        recovered.close();
    }

    @Test
    void aFileThatIsNoDatabaseIsMovedAsideAndANewJournalStarts() throws Exception {
        Files.writeString(dir.resolve("outbox.db"), "this is not a database, it is a text file long enough to matter ".repeat(100));
        SqliteOutbox outbox = open(dir);
        try (LogCapture logs = LogCapture.start()) {
            assertThat(accept(outbox, 1).kind()).isEqualTo(Admission.Kind.STARTED);
            assertThat(logs.lines()).filteredOn(l -> l.contains("was damaged")).singleElement()
                    .satisfies(l -> assertThat(l).contains(dir.resolve("outbox.db").toString()).contains("moved aside as outbox.db.corrupt-"));
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("outbox.db.corrupt-"));
        }
        outbox.close();
    }

    @Test
    void garbageInTheMiddleIsMovedAsideWhatCanBeReadIsKeptAndWorkGoesOn() throws Exception {
        int entries = 2000;
        SqliteOutbox outbox = open(dir);
        StepVerifier.create(Flux.range(1, entries)
                        .flatMap(i -> outbox.accept(recording(i), "v1")
                                .flatMap(a -> outbox.fileStored(a.lease(), stored(i, "video.mkv"))), 64)
                        .then())
                .expectComplete()
                .verify(LIMIT);
        outbox.close();
        Path db = dir.resolve("outbox.db");
        assertThat(Files.size(db)).as("checkpointed on close").isGreaterThan(512 * 1024);
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.seek(f.length() / 2 / 4096 * 4096);
            f.write(garbage);
        }

        SqliteOutbox repaired = open(dir);
        long kept;
        try (LogCapture logs = LogCapture.start()) {
            assertThat(accept(repaired, entries + 1).kind()).as("work goes on").isEqualTo(Admission.Kind.STARTED);
            assertThat(logs.lines()).filteredOn(l -> l.contains("was damaged")).singleElement()
                    .satisfies(l -> assertThat(l).contains("carried over").contains("moved aside as outbox.db.corrupt-"));
            kept = repaired.unfinished().count().block(LIMIT) - 1;
        }
        assertThat(kept).as("what could be read was carried over").isGreaterThan(entries / 2).isLessThan(entries);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("outbox\\.db\\.corrupt-\\d{8}-\\d{6}"));
        }
        repaired.close();
    }

    @Test
    void aFullJournalRefusesWritesTruthfullyAndWorksAgainOnceThereIsRoom() throws Exception {
        SqliteOutbox setUp = open(dir);
        accept(setUp, 1);
        setUp.close();
        long pages;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA page_count")) {
            pages = rs.next() ? rs.getLong(1) : 0;
        }
        AtomicLong cap = new AtomicLong(pages + 3);
        SqliteOutbox outbox = new SqliteOutbox(dir, Clock.systemUTC(), Duration.ofDays(7), cap::get);
        String big = "x".repeat(3000);
        List<Long> accepted = new java.util.ArrayList<>();
        List<Long> refused = new java.util.ArrayList<>();
        List<String> errors = new java.util.ArrayList<>();
        for (long id = 100; id < 140; id++) {
            Recording r = Recordings.base(id).title(big + id).video(Path.of("/v.mkv")).build();
            boolean ok = one(outbox.accept(r, "v1").map(a -> true).onErrorResume(e -> {
                errors.add(e.getMessage());
                return Mono.just(false);
            }));
            (ok ? accepted : refused).add(id);
        }
        assertThat(accepted).as("accepted before the journal was full").isNotEmpty();
        assertThat(refused).as("refused once it was full").isNotEmpty();
        assertThat(errors).allSatisfy(m -> assertThat(m).contains("is full").contains(dir.toString()));
        for (long id : accepted) {
            assertThat(one(outbox.entry(id).hasElement())).as("%d, reported journaled, is there", id).isTrue();
        }
        for (long id : refused) {
            assertThat(one(outbox.entry(id).hasElement())).as("%d, reported refused, is not there", id).isFalse();
        }

        cap.set(0); // room is made
        long again = refused.get(0);
        assertThat(one(outbox.accept(Recordings.base(again).title(big).video(Path.of("/v.mkv")).build(), "v1")).kind())
                .isEqualTo(Admission.Kind.STARTED);
        assertThat(one(outbox.entry(again).hasElement())).isTrue();
        outbox.close();
    }

    @Test
    void aRowThatCannotBeReadIsSkippedReportedAndKeptWhileTheOthersResume() throws Exception {
        SqliteOutbox outbox = open(dir);
        accept(outbox, 1);
        accept(outbox, 3);
        outbox.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO recordings (id, recording, version, state, attempts, accepted_at, updated_at, "
                    + "lease_token) VALUES (2, 'not json at all', 'v1', 'IN_PROGRESS', 1, 1, 1, 1)");
        }

        SqliteOutbox again = open(dir);
        try (LogCapture logs = LogCapture.start()) {
            StepVerifier.create(again.claimUnfinished().map(a -> a.entry().id()))
                    .expectNext(1L, 3L)
                    .expectComplete()
                    .verify(LIMIT);
            assertThat(logs.all()).contains("entry 2 cannot be read").contains("kept as it is for inspection");
        }
        again.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT state, lease_owner FROM recordings WHERE id = 2")) {
            assertThat(rs.next()).as("kept").isTrue();
            assertThat(rs.getString(2)).as("never claimed").isNull();
        }
    }

    @Test
    void journalFilesAreReadableByTheirOwnerOnly() throws Exception {
        Path journal = dir.resolve("nested").resolve("journal");
        SqliteOutbox outbox = open(journal);
        accept(outbox, 1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal))).isEqualTo("rwx------");
        for (String name : List.of("outbox.db", "outbox.db-wal", "outbox.db-shm")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.resolve(name))))
                    .as(name).isEqualTo("rw-------");
        }
        outbox.close();
    }

    @Test
    void aJournalOfTheFirstReleaseIsMigratedWithItsEntries() throws Exception {
        Files.createDirectories(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement()) {
            // the schema the first release created, as it created it
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("CREATE TABLE recordings (id INTEGER PRIMARY KEY, recording TEXT NOT NULL, state TEXT NOT NULL, "
                    + "reason TEXT, attempts INTEGER NOT NULL, accepted_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, "
                    + "next_attempt_at INTEGER)");
            s.execute("CREATE INDEX recordings_state ON recordings (state, next_attempt_at)");
            s.execute("CREATE TABLE files (recording_id INTEGER NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, "
                    + "object_key TEXT NOT NULL, url TEXT, size INTEGER NOT NULL, attempts INTEGER NOT NULL, "
                    + "PRIMARY KEY (recording_id, name))");
            s.execute("CREATE TABLE metadata (recording_id INTEGER PRIMARY KEY, name TEXT NOT NULL, object_key TEXT NOT NULL, "
                    + "url TEXT, size INTEGER NOT NULL, attempts INTEGER NOT NULL, body BLOB NOT NULL)");
            s.execute("CREATE TABLE deliveries (recording_id INTEGER NOT NULL, endpoint TEXT NOT NULL, webhook_id TEXT NOT NULL, "
                    + "state TEXT NOT NULL, status_code INTEGER NOT NULL, attempts INTEGER NOT NULL, reply TEXT, error TEXT, "
                    + "PRIMARY KEY (recording_id, endpoint))");
            s.execute("CREATE TABLE disabled_endpoints (endpoint TEXT PRIMARY KEY, since INTEGER NOT NULL, reason TEXT)");
        }
        // entries written the way the first release wrote them
        SqliteOutbox writer = open(dir.resolve("scratch"));
        writer.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"))) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO recordings VALUES (?, ?, ?, NULL, 1, 1000, 1000, NULL)")) {
                s.setLong(1, 7);
                s.setString(2, "{\"id\":7,\"title\":\"Old\",\"created_at\":\"2025-10-25T01:55:59.374860Z\","
                        + "\"declared_duration_ms\":77000,\"user\":{\"username\":\"souvik\",\"email\":\"" + Recordings.EMAIL
                        + "\"},\"files\":[{\"role\":\"VIDEO\",\"path\":\"/data/7/video.mkv\",\"name\":\"video.mkv\"}]}");
                s.setString(3, "IN_PROGRESS");
                s.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO files VALUES (7, 'video.mkv', 'VIDEO', '7/video.mkv', 'http://s3/b/7/video.mkv', 99, 1)");
                s.executeUpdate("INSERT INTO disabled_endpoints VALUES ('https://gone.example/hook', 1, 'status 410')");
            }
        }

        SqliteOutbox migrated = open(dir);
        StepVerifier.create(migrated.claimUnfinished())
                .assertNext(a -> {
                    assertThat(a.kind()).isEqualTo(Admission.Kind.CONTINUED);
                    assertThat(a.entry().recording().title()).isEqualTo("Old");
                    assertThat(a.entry().files()).extracting(FileOutcome::name).containsExactly("video.mkv");
                })
                .expectComplete()
                .verify(LIMIT);
        assertThat(one(migrated.disabledEndpoints())).containsExactly("https://gone.example/hook");
        migrated.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            assertThat(rs.next() && rs.getInt(1) == 3).isTrue();
        }
    }

    @Test
    void aJournalOfANewerReelayIsRefusedRatherThanMisread() throws Exception {
        SqliteOutbox outbox = open(dir);
        accept(outbox, 1);
        outbox.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        SqliteOutbox newer = open(dir);
        StepVerifier.create(newer.accept(recording(2), "v1"))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("written by a newer Reelay"))
                .verify(LIMIT);
        newer.close();
    }

    @Test
    void pendingStreams100000EntriesPageByPageWhileWritesGoOn() throws Exception {
        int entries = 100_000;
        SqliteOutbox setUp = open(dir);
        accept(setUp, 1);
        setUp.close();
        String title = "t".repeat(1000);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"))) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO recordings (id, recording, version, state, "
                    + "reason, attempts, accepted_at, updated_at, next_attempt_at, lease_token) "
                    + "VALUES (?, ?, 'v1', 'PENDING', 'status 503', 1, ?, ?, ?, 1)")) {
                for (int i = 0; i < entries; i++) {
                    long id = 1000 + i;
                    s.setLong(1, id);
                    s.setString(2, "{\"id\":" + id + ",\"title\":\"" + title + "\",\"created_at\":\"2025-10-25T01:55:59Z\","
                            + "\"user\":{\"username\":\"u\",\"email\":\"u@example.com\"},\"files\":[]}");
                    s.setLong(3, i);
                    s.setLong(4, i);
                    s.setLong(5, Long.MAX_VALUE);
                    s.addBatch();
                }
                s.executeBatch();
            }
            c.commit();
        }

        SqliteOutbox outbox = open(dir);
        long before = usedHeapAfterGc();
        PausingSubscriber reader = new PausingSubscriber(entries / 2);
        outbox.pending().subscribe(reader);
        assertThat(reader.paused.await(60, TimeUnit.SECONDS)).as("half read").isTrue();
        long midway = usedHeapAfterGc();

        // the reader holds half of the entries un-requested: writes go on all the same
        StepVerifier.create(Flux.range(1, 50).concatMap(i -> outbox.accept(recording(200_000 + i), "v1")).then())
                .expectComplete()
                .verify(Duration.ofSeconds(20));

        reader.resume();
        assertThat(reader.done.await(120, TimeUnit.SECONDS)).isTrue();
        assertThat(reader.error).isNull();
        assertThat(reader.count).isEqualTo(entries);
        assertThat(midway - before).as("heap held while half of %d entries were read", entries)
                .isLessThan(48L << 20);
        outbox.close();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Requests one entry at a time, stops after {@code pauseAt} until told to go on. */
    static final class PausingSubscriber extends reactor.core.publisher.BaseSubscriber<OutboxEntry> {
        final java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        final int pauseAt;
        volatile int count;
        volatile Throwable error;

        PausingSubscriber(int pauseAt) {
            this.pauseAt = pauseAt;
        }

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
            request(1);
        }

        @Override
        protected void hookOnNext(OutboxEntry value) {
            if (++count == pauseAt) {
                paused.countDown();
            } else {
                request(1);
            }
        }

        void resume() {
            request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            error = throwable;
        }

        @Override
        protected void hookFinally(reactor.core.publisher.SignalType type) {
            done.countDown();
        }
    }

    @Test
    void writesAfterCloseFailClearlyAndCloseAnswersWhatWasQueued() {
        SqliteOutbox outbox = open(dir);
        Lease lease = accept(outbox, 1).lease();
        List<Mono<Void>> queued = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Mono<Void> w = outbox.fileStored(lease, stored(1, "file-" + i)).cache();
            w.subscribe(v -> { }, e -> { });
            queued.add(w);
        }
        outbox.close();
        for (Mono<Void> w : queued) {
            StepVerifier.create(w).expectComplete().verify(LIMIT);
        }
        StepVerifier.create(outbox.accept(recording(2), "v1"))
                .expectErrorMessage("the outbox at " + dir.resolve("outbox.db") + " is closed")
                .verify(LIMIT);
        assertThat(outbox.toString()).contains("outbox.db");
        SqliteOutbox again = open(dir);
        assertThat(one(again.entry(1)).files()).hasSize(200);
        again.close();
    }

    static Instant epoch(long millis) {
        return Instant.ofEpochMilli(millis);
    }
}
