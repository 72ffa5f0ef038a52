package dev.reelay.internal.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.FileOutcome;
import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Attempt;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxQuery;
import dev.reelay.outbox.PostgresOutbox;
import dev.reelay.support.PostgresServer;
import dev.reelay.support.Recordings;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A journal written by the Reelay before the attempt log (SQLite schema version 2, PostgreSQL V1)
 * is migrated forward with its entries: they are read, claimed, listed and searched as before.
 */
class JournalMigrationTest {

    static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static <T> T one(Mono<T> mono) {
        AtomicReference<T> value = new AtomicReference<>();
        StepVerifier.create(mono).consumeNextWith(value::set).expectComplete().verify(LIMIT);
        return value.get();
    }

    static final String RECORDING_7 = "{\"id\":7,\"title\":\"Old <i>one</i>\",\"created_at\":\"2025-10-25T01:55:59.374860Z\","
            + "\"declared_duration_ms\":77000,\"user\":{\"username\":\"souvik\",\"email\":\"" + Recordings.EMAIL
            + "\"},\"files\":[{\"role\":\"VIDEO\",\"path\":\"/data/7/video.mkv\",\"name\":\"video.mkv\"}]}";

    /** The rows a journal of the previous version held, in the columns it had. */
    static void previousEntries(Statement s, String prefix) throws Exception {
        s.executeUpdate("INSERT INTO " + prefix + "recordings (id, recording, version, state, reason, attempts, accepted_at, "
                + "updated_at, next_attempt_at, lease_owner, lease_until, lease_token) VALUES (7, '" + RECORDING_7
                + "', 'v7', 'PARKED', 'status 404: No user found', 1, 1000, 1000, 5000, NULL, NULL, 1)");
        s.executeUpdate("INSERT INTO " + prefix + "recordings (id, recording, version, state, reason, attempts, accepted_at, "
                + "updated_at, next_attempt_at, lease_owner, lease_until, lease_token) VALUES (8, 'not json at all', 'v8', "
                + "'IN_PROGRESS', NULL, 1, 2000, 2000, NULL, NULL, NULL, 1)");
        s.executeUpdate("INSERT INTO " + prefix + "files VALUES (7, 'video.mkv', 'VIDEO', '7/video.mkv', 'http://s3/b/7/video.mkv', 99, 1)");
        s.executeUpdate("INSERT INTO " + prefix + "deliveries VALUES (7, 'ops', 'msg_7', 'PARKED', 404, 1, NULL, 'status 404')");
    }

    void assertEntry7Migrated(Outbox outbox) {
        OutboxEntry e = one(outbox.entry(7));
        assertThat(e.recording().title()).isEqualTo("Old <i>one</i>");
        assertThat(e.state()).isEqualTo(OutboxEntry.State.PARKED);
        assertThat(e.files()).extracting(FileOutcome::name).containsExactly("video.mkv");
        assertThat(e.deliveries()).extracting(WebhookOutcome::statusCode).containsExactly(404);
        assertThat(e.lastResult()).as("not known from before").isNull();
        assertThat(one(outbox.list(OutboxQuery.builder().text("old <I>").build())).entries())
                .as("the title, filled in from the recording").extracting(OutboxEntry::id).containsExactly(7L);
        assertThat(one(outbox.list(OutboxQuery.builder().text("souvik@FYELABS").build())).entries())
                .as("the email").extracting(OutboxEntry::id).containsExactly(7L);
        StepVerifier.create(outbox.attempts(7)).expectComplete().verify(LIMIT);
        Admission claimed = one(outbox.claim(7));
        assertThat(claimed.kind()).isEqualTo(Admission.Kind.CONTINUED);
        StepVerifier.create(outbox.attempt(claimed.lease(), new Attempt(7, Attempt.Kind.WEBHOOK, "ops", 1, Instant.now(),
                Duration.ofMillis(5), Attempt.Outcome.SUCCEEDED, 201, 1, 100, "msg_7", Map.of(), null, null)))
                .expectComplete().verify(LIMIT);
        StepVerifier.create(outbox.attempts(7)).expectNextCount(1).expectComplete().verify(LIMIT);
    }

    @Test
    void aSqliteJournalOfVersion2IsMigratedWithItsEntries() throws Exception {
        Files.createDirectories(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            for (List<String> version : JournalSchema.MIGRATIONS.subList(0, 2)) { // migrations are never edited, only added
                for (String sql : version) {
                    s.execute(sql);
                }
            }
            s.execute("PRAGMA user_version = 2");
            previousEntries(s, "");
        }

        SqliteOutbox outbox = new SqliteOutbox(dir, Clock.systemUTC(), Duration.ofDays(3650));
        try {
            assertEntry7Migrated(outbox);
            assertThat(one(outbox.list(OutboxQuery.builder().states(OutboxEntry.State.IN_PROGRESS).build())).entries())
                    .as("a row that cannot be read is skipped, and kept").extracting(OutboxEntry::id).containsExactly(7L);
        } finally {
            outbox.close();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                assertThat(rs.next() && rs.getInt(1) == 3).isTrue();
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM recordings WHERE id = 8 AND title IS NULL")) {
                assertThat(rs.next() && rs.getInt(1) == 1).as("kept as it was, for inspection").isTrue();
            }
        }
    }

    @Test
    void aPostgresJournalOfVersion1IsMigratedWithItsEntries() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String schema = PostgresServer.freshSchema();
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE SCHEMA " + schema);
            s.execute("SET LOCAL search_path TO " + schema);
            try (var in = PostgresOutbox.class.getResourceAsStream("/dev/reelay/outbox/postgres/V1__journal.sql")) {
                s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            s.executeUpdate("INSERT INTO reelay_recordings (id, recording, version, state, reason, attempts, accepted_at, "
                    + "updated_at, next_attempt_at, lease_owner, lease_until, lease_token) VALUES (7, '" + RECORDING_7
                    + "', 'v7', 'PARKED', 'status 404: No user found', 1, 1000, 1000, 5000, NULL, NULL, 1)");
            s.executeUpdate("INSERT INTO reelay_files VALUES (7, 'video.mkv', 'VIDEO', '7/video.mkv', 'http://s3/b/7/video.mkv', 99, 1)");
            s.executeUpdate("INSERT INTO reelay_deliveries VALUES (7, 'ops', 'msg_7', 'PARKED', 404, 1, NULL, 'status 404')");
            c.commit();
        }
        try (HikariDataSource dataSource = server.dataSource(4)) {
            Outbox outbox = PostgresOutbox.builder(dataSource).schema(schema).build();
            try {
                assertEntry7Migrated(outbox);
            } finally {
                outbox.close();
            }
            try (Connection c = server.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT max(version) FROM " + schema + ".reelay_schema_version")) {
                assertThat(rs.next() && rs.getInt(1) == 2).isTrue();
            }
        }
    }
}
