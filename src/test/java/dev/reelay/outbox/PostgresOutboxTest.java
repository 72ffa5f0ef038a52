package dev.reelay.outbox;

import static dev.reelay.outbox.JournalTest.DONE;
import static dev.reelay.outbox.JournalTest.LIMIT;
import static dev.reelay.outbox.JournalTest.one;
import static dev.reelay.outbox.JournalTest.recording;
import static dev.reelay.outbox.JournalTest.stored;
import static dev.reelay.outbox.JournalTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.support.PostgresServer;
import dev.reelay.webhook.ReceiverReply;
import dev.reelay.webhook.WebhookOutcome;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The shared outbox on a real PostgreSQL: several instances on one set of tables, what each may do and may not. */
class PostgresOutboxTest {

    static PostgresServer server;
    static HikariDataSource dataSource;

    final String schema = PostgresServer.freshSchema();
    final List<Outbox> opened = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = PostgresServer.shared();
        dataSource = server.dataSource(16);
    }

    @AfterAll
    static void closePool() {
        dataSource.close();
    }

    @AfterEach
    void closeOutboxes() {
        opened.forEach(Outbox::close);
    }

    /** An instance on this test's tables. */
    Outbox instance(Function<PostgresOutbox.Builder, PostgresOutbox.Builder> settings) {
        Outbox outbox = settings.apply(PostgresOutbox.builder(dataSource).schema(schema)).build();
        opened.add(outbox);
        return outbox;
    }

    Outbox instance() {
        return instance(b -> b);
    }

    long query(String sql) throws SQLException {
        try (Connection c = server.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void update(String sql) throws SQLException {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    @Test
    void whatOneInstanceWritesAnotherReads() {
        Outbox a = instance();
        Lease lease = one(a.accept(recording(1), "v1")).lease();
        write(a.fileStored(lease, stored(1, "video.mkv")));
        write(a.multipartStarted(lease, "notes.txt", new MultipartProgress("up-1", 5 << 20, 12 << 20, 1700, List.of())));
        write(a.partStored(lease, "notes.txt", "up-1", new MultipartProgress.Part(1, "\"e1\"", 5 << 20)));
        write(a.partStored(lease, "notes.txt", "up-old", new MultipartProgress.Part(2, "\"e2\"", 5 << 20)));
        write(a.delivery(lease, new WebhookOutcome("https://h/hook", "msg_1", WebhookOutcome.State.PARKED,
                404, 1, new ReceiverReply("error", "No user found", null, null, null), "status 404")));

        Outbox b = instance();
        OutboxEntry e = one(b.entry(1));
        assertThat(e.recording()).isEqualTo(recording(1));
        assertThat(e.version()).isEqualTo("v1");
        assertThat(e.state()).isEqualTo(OutboxEntry.State.IN_PROGRESS);
        assertThat(e.holder()).isEqualTo(lease.owner());
        assertThat(e.files()).containsExactly(stored(1, "video.mkv"));
        assertThat(e.uploads().get("notes.txt").parts()).as("a part of another upload is dropped")
                .containsExactly(new MultipartProgress.Part(1, "\"e1\"", 5 << 20));
        assertThat(e.deliveries()).singleElement().satisfies(d -> assertThat(d.reply().message()).isEqualTo("No user found"));
        StepVerifier.create(b.unfinished()).expectNextCount(1).expectComplete().verify(LIMIT);
    }

    @Test
    void aRecordingAnotherInstanceHoldsIsHeldThereAndCanBeTakenOnceReleased() {
        Outbox a = instance();
        Outbox b = instance();
        Admission first = one(a.accept(recording(2), "v1"));
        assertThat(first.kind()).isEqualTo(Admission.Kind.STARTED);

        Admission held = one(b.accept(recording(2), "v1"));
        assertThat(held.kind()).isEqualTo(Admission.Kind.HELD);
        assertThat(held.entry().holder()).isEqualTo(first.lease().owner()).contains("-");
        assertThat(one(b.claim(2)).kind()).isEqualTo(Admission.Kind.HELD);
        StepVerifier.create(b.claimUnfinished()).expectComplete().verify(LIMIT);

        write(a.release(first.lease()));
        Admission taken = one(b.claim(2));
        assertThat(taken.kind()).isEqualTo(Admission.Kind.CONTINUED);
        assertThat(taken.lease().token()).isGreaterThan(first.lease().token());
        StepVerifier.create(a.fileStored(first.lease(), stored(2, "video.mkv")))
                .expectError(LeaseLostException.class).verify(LIMIT);
    }

    @Test
    void aLiveLeaseIsHeldEvenForAnInstanceWhoseClockIsAnHourAhead() {
        Outbox a = instance(b -> b.lease(Duration.ofSeconds(5)));
        Outbox ahead = instance(b -> b.clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(1))));
        Lease lease = one(a.accept(recording(3), "v1")).lease();

        assertThat(one(ahead.accept(recording(3), "v1")).kind()).isEqualTo(Admission.Kind.HELD);
        assertThat(one(ahead.claim(3)).kind()).isEqualTo(Admission.Kind.HELD);
        StepVerifier.create(ahead.claimUnfinished()).expectComplete().verify(LIMIT);
        write(a.fileStored(lease, stored(3, "video.mkv")));
    }

    @Test
    void theHeartbeatKeepsALeaseAliveLongerThanItsLengthAndClosingGivesItUp() {
        Outbox a = instance(b -> b.lease(Duration.ofMillis(600)));
        Outbox b = instance();
        Lease lease = one(a.accept(recording(4), "v1")).lease();

        // five lease lengths later the lease is still a's: its heartbeat renewed it
        StepVerifier.create(Mono.delay(Duration.ofMillis(3000)).then(b.claim(4)))
                .assertNext(x -> assertThat(x.kind()).isEqualTo(Admission.Kind.HELD))
                .expectComplete()
                .verify(LIMIT);
        write(a.fileStored(lease, stored(4, "video.mkv")));

        a.close();
        Admission taken = one(b.claim(4));
        assertThat(taken.kind()).as("given up on closing, taken at once").isEqualTo(Admission.Kind.CONTINUED);
        assertThat(taken.entry().files()).containsExactly(stored(4, "video.mkv"));
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldHoldersWritesAreRefusedAndChangeNothing() throws SQLException {
        Outbox a = instance(b -> b.lease(Duration.ofMinutes(1)));
        Outbox b = instance();
        Lease old = one(a.accept(recording(5), "v1")).lease();
        write(a.fileStored(old, stored(5, "video.mkv")));
        write(a.multipartStarted(old, "notes.txt", new MultipartProgress("up-a", 5 << 20, 12 << 20, 1700, List.of())));

        // a's lease runs out (as if a had been paused for a minute, its heartbeat with it)
        update("UPDATE " + schema + ".reelay_recordings SET lease_until = 0 WHERE id = 5");
        Admission taken = one(b.claimUnfinished().next());
        assertThat(taken.lease().token()).isEqualTo(old.token() + 1);
        write(b.multipartStarted(taken.lease(), "notes.txt", new MultipartProgress("up-b", 5 << 20, 12 << 20, 1700, List.of())));
        write(b.partStored(taken.lease(), "notes.txt", "up-b", new MultipartProgress.Part(1, "\"b1\"", 5 << 20)));
        OutboxEntry before = one(b.entry(5));

        for (Mono<Void> late : List.of(
                a.fileStored(old, new dev.reelay.FileOutcome(dev.reelay.FileRole.VIDEO, "video.mkv", "x", "x", 1, 9, null)),
                a.multipartStarted(old, "notes.txt", new MultipartProgress("up-a", 5 << 20, 12 << 20, 1700, List.of())),
                a.partStored(old, "notes.txt", "up-a", new MultipartProgress.Part(2, "\"a2\"", 5 << 20)),
                a.delivery(old, new WebhookOutcome("https://h/hook", "msg_5", WebhookOutcome.State.DELIVERED, 200, 1,
                        null, null)),
                a.finish(old, DONE, OutboxEntry.State.DONE, null),
                a.release(old))) {
            StepVerifier.create(late).expectError(LeaseLostException.class).verify(LIMIT);
        }
        OutboxEntry after = one(b.entry(5));
        assertThat(after).usingRecursiveComparison().ignoringFields("updatedAt").isEqualTo(before);
        assertThat(query("SELECT lease_token FROM " + schema + ".reelay_recordings WHERE id = 5")).isEqualTo(old.token() + 1);
        write(b.finish(taken.lease(), DONE, OutboxEntry.State.DONE, null));
    }

    /**
     * Two instances, four claimers each, race for the same 600 interrupted entries, three
     * rounds, with single claims of random ids in between: every entry is claimed exactly once
     * a round, and every lease handed out has a token no other claim got.
     */
    @Test
    void twoInstancesClaimingFromOneTableNeverGetTheSameEntry() {
        int entries = 600;
        Outbox a = instance(b -> b.connections(4));
        Outbox b = instance(x -> x.connections(4));
        List<Lease> accepted = Flux.fromStream(LongStream.rangeClosed(1, entries).boxed())
                .flatMap(id -> a.accept(recording(id), "v1"), 16)
                .map(Admission::lease)
                .collectList()
                .block(Duration.ofMinutes(2));
        Flux.fromIterable(accepted).flatMap(a::release, 16).blockLast(Duration.ofMinutes(2));

        Set<String> tokens = ConcurrentHashMap.newKeySet();
        int claims = 0;
        for (int round = 1; round <= 3; round++) {
            ConcurrentLinkedQueue<Admission> got = new ConcurrentLinkedQueue<>();
            java.util.Random random = new java.util.Random(round);
            List<Mono<Void>> claimers = new ArrayList<>();
            for (Outbox instance : List.of(a, b)) {
                for (int k = 0; k < 4; k++) {
                    claimers.add(instance.claimUnfinished().doOnNext(got::add).then());
                    List<Long> ids = random.longs(40, 1, entries + 1).boxed().toList();
                    claimers.add(Flux.fromIterable(ids).concatMap(instance::claim).doOnNext(got::add).then());
                }
            }
            StepVerifier.create(Flux.merge(claimers)).expectComplete().verify(Duration.ofMinutes(2));

            List<Admission> continued = got.stream().filter(x -> x.kind() == Admission.Kind.CONTINUED).toList();
            Map<Long, Long> perEntry = continued.stream()
                    .collect(Collectors.groupingBy(x -> x.entry().id(), Collectors.counting()));
            assertThat(perEntry.values()).as("round %d: claims per entry", round).containsOnly(1L);
            assertThat(perEntry).as("round %d: every entry claimed", round).hasSize(entries);
            assertThat(got).filteredOn(x -> x.kind() != Admission.Kind.CONTINUED)
                    .allSatisfy(x -> assertThat(x.kind()).isEqualTo(Admission.Kind.HELD));
            for (Admission x : continued) {
                assertThat(tokens.add(x.lease().recordingId() + "/" + x.lease().token())).as("a token given twice: %s",
                        x.lease()).isTrue();
            }
            claims += got.size();
            Flux.fromIterable(continued)
                    .flatMap(x -> (x.lease().owner().equals(accepted.get(0).owner()) ? a : b).release(x.lease()), 16)
                    .blockLast(Duration.ofMinutes(2));
        }
        System.out.printf("claims: %d answers to %d claimers over 3 rounds of %d entries%n", claims, 16, entries);
    }

    @Test
    void instancesStartingAtOnceOnAnEmptyDatabaseCreateOneSchema() throws SQLException {
        List<Outbox> instances = List.of(instance(), instance(), instance(), instance());
        StepVerifier.create(Flux.fromIterable(instances).flatMap(o -> o.entry(1), 4))
                .expectComplete()
                .verify(LIMIT);
        assertThat(query("SELECT count(*) FROM " + schema + ".reelay_schema_version")).isEqualTo(2);
        assertThat(query("SELECT max(version) FROM " + schema + ".reelay_schema_version")).isEqualTo(2);
        assertThat(query("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'")).isEqualTo(9);
        assertThat(one(instances.get(3).accept(recording(7), "v1")).kind()).isEqualTo(Admission.Kind.STARTED);
    }

    @Test
    void theShippedScriptAppliedByHandIsWhatReelayReads() throws Exception {
        Outbox unapplied = instance(b -> b.tablePrefix("dba_").createSchema(false));
        StepVerifier.create(unapplied.entry(1))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("dba_").hasMessageContaining("V1__journal.sql"))
                .verify(LIMIT);

        update("CREATE SCHEMA " + schema);
        applyByHand("V1__journal.sql");
        Outbox halfway = instance(b -> b.tablePrefix("dba_").createSchema(false));
        StepVerifier.create(halfway.entry(1))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("version 1").hasMessageContaining("V2__attempt_log.sql"))
                .verify(LIMIT);
        applyByHand("V2__attempt_log.sql");
        Outbox applied = instance(b -> b.tablePrefix("dba_").createSchema(false));
        assertThat(one(applied.accept(recording(8), "v1")).kind()).isEqualTo(Admission.Kind.STARTED);
        assertThat(query("SELECT count(*) FROM " + schema + ".dba_recordings")).isEqualTo(1);

        update("INSERT INTO " + schema + ".dba_schema_version (version, script) VALUES (3, 'V3__from_the_future.sql')");
        Outbox older = instance(b -> b.tablePrefix("dba_"));
        StepVerifier.create(older.entry(8))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("newer Reelay"))
                .verify(LIMIT);
    }

    /** Runs a shipped script as a DBA would, in one transaction, with the prefix dba_ in this test's schema. */
    void applyByHand(String script) throws Exception {
        String text;
        try (var in = PostgresOutbox.class.getResourceAsStream("/dev/reelay/outbox/postgres/" + script)) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL search_path TO " + schema);
            s.execute(text.replace("reelay_", "dba_"));
            c.commit();
        }
    }

    @Test
    void disabledEndpointsAndPendingEntriesAreSharedByEveryInstance() {
        Outbox a = instance();
        Outbox b = instance();
        write(a.disableEndpoint("https://gone.example/hook", "410"));
        assertThat(one(b.disabledEndpoints())).containsExactly("https://gone.example/hook");
        write(b.enableEndpoint("https://gone.example/hook"));
        assertThat(one(a.disabledEndpoints())).isEmpty();

        for (long id = 10; id < 15; id++) {
            write(a.finish(one(a.accept(recording(id), "v1")).lease(), DONE, OutboxEntry.State.PARKED,
                    Instant.now().minusSeconds(1)));
        }
        StepVerifier.create(b.pending().map(OutboxEntry::id)).expectNext(10L, 11L, 12L, 13L, 14L).expectComplete()
                .verify(LIMIT);
        StepVerifier.create(b.claimDue(Instant.now()).map(x -> x.entry().id()))
                .expectNext(10L, 11L, 12L, 13L, 14L).expectComplete().verify(LIMIT);
        StepVerifier.create(a.claimDue(Instant.now())).as("all held by b now").expectComplete().verify(LIMIT);
    }

    @Test
    void statsCountTheBacklogByStateAndTheSpisDefaultAgrees() {
        Outbox a = instance();
        Lease running = one(a.accept(recording(41), "v1")).lease();
        write(a.finish(one(a.accept(recording(42), "v1")).lease(), DONE, OutboxEntry.State.PENDING, Instant.now()));
        write(a.finish(one(a.accept(recording(43), "v1")).lease(), DONE, OutboxEntry.State.PARKED, null));
        write(a.finish(one(a.accept(recording(44), "v1")).lease(), DONE, OutboxEntry.State.DONE, null));
        write(a.finish(one(a.accept(recording(45), "v1")).lease(), DONE, OutboxEntry.State.GAVE_UP, null));
        write(a.finish(one(a.accept(recording(46), "v1")).lease(), DONE, OutboxEntry.State.PARKED, null));

        OutboxStats stats = one(instance().stats());

        assertThat(stats.counts()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(OutboxEntry.State.IN_PROGRESS, 1L,
                OutboxEntry.State.PENDING, 1L, OutboxEntry.State.PARKED, 2L, OutboxEntry.State.GAVE_UP, 1L));
        assertThat(stats.count(OutboxEntry.State.DONE)).isZero();
        assertThat(stats.oldestWaiting()).contains(one(a.entry(41)).acceptedAt());
        // what the SPI's default works out from the listings, for journals without a query of their own
        Outbox byDefault = (Outbox) java.lang.reflect.Proxy.newProxyInstance(Outbox.class.getClassLoader(),
                new Class<?>[] {Outbox.class}, (proxy, method, args) -> method.getName().equals("stats")
                        ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args) : method.invoke(a, args));
        OutboxStats listed = one(byDefault.stats());
        assertThat(listed.counts()).isEqualTo(stats.counts());
        assertThat(listed.oldestWaiting()).isEqualTo(stats.oldestWaiting());

        write(a.finish(running, DONE, OutboxEntry.State.DONE, null));
        assertThat(one(a.stats()).oldestWaiting()).contains(one(a.entry(42)).acceptedAt());
    }

    @Test
    void aDatabaseThatCannotBeReachedIsAFailureThatNamesNoSecret() {
        org.postgresql.ds.PGSimpleDataSource unreachable = new org.postgresql.ds.PGSimpleDataSource();
        unreachable.setURL("jdbc:postgresql://127.0.0.1:1/postgres?user=reelay&password=s3cret-in-url");
        unreachable.setPassword("s3cret-set");
        unreachable.setConnectTimeout(2);
        Outbox outbox = PostgresOutbox.builder(unreachable).build();
        opened.add(outbox);
        StepVerifier.create(outbox.accept(recording(30), "v1"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessageContaining("shared outbox").hasMessageNotContaining("s3cret");
                    assertThat(outbox.toString()).doesNotContain("s3cret");
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).doesNotContain("s3cret");
                    }
                })
                .verify(LIMIT);
    }

    @Test
    void finishedEntriesArePrunedAfterTheRetention() throws SQLException {
        Outbox a = instance(b -> b.retention(Duration.ofMillis(1)));
        Lease lease = one(a.accept(recording(20), "v1")).lease();
        write(a.fileStored(lease, stored(20, "video.mkv")));
        write(a.finish(lease, DONE, OutboxEntry.State.DONE, null));
        // the first finish of an instance prunes; the entry just finished is older than 1 ms by the next one
        Lease next = one(a.accept(recording(21), "v1")).lease();
        write(a.finish(next, DONE, OutboxEntry.State.PENDING, Instant.now()));
        Outbox b = instance(x -> x.retention(Duration.ofMillis(1)));
        write(b.finish(one(b.accept(recording(22), "v1")).lease(), DONE, OutboxEntry.State.DONE, null));
        assertThat(query("SELECT count(*) FROM " + schema + ".reelay_recordings WHERE id = 20")).isZero();
        assertThat(query("SELECT count(*) FROM " + schema + ".reelay_files WHERE recording_id = 20")).isZero();
        assertThat(query("SELECT count(*) FROM " + schema + ".reelay_recordings WHERE id = 21")).as("pending stays").isOne();
    }
}
