package dev.reelay.outbox;

import static dev.reelay.outbox.JournalTest.LIMIT;
import static dev.reelay.outbox.JournalTest.one;
import static dev.reelay.outbox.JournalTest.recording;
import static dev.reelay.outbox.JournalTest.stored;
import static dev.reelay.outbox.JournalTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingJob;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.support.PostgresServer;
import dev.reelay.support.Recordings;
import dev.reelay.webhook.WebhookOutcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/**
 * The attempt log and the listings dashboards read, on both journals: what is kept (bounded per
 * target, pruned with the entry), and what pages, filters and counts answer.
 */
class AttemptLogTest {

    static HikariDataSource dataSource;

    @TempDir
    Path dir;

    final List<Outbox> opened = new CopyOnWriteArrayList<>();
    String schema;

    @AfterEach
    void close() {
        opened.forEach(Outbox::close);
    }

    @AfterAll
    static void closePool() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    Outbox open(String kind, Duration retention) {
        Outbox outbox;
        if (kind.equals("sqlite")) {
            outbox = new SqliteOutbox(dir, Clock.systemUTC(), retention);
        } else {
            synchronized (AttemptLogTest.class) {
                if (dataSource == null) {
                    dataSource = PostgresServer.shared().dataSource(8);
                }
            }
            if (schema == null) {
                schema = PostgresServer.freshSchema();
            }
            outbox = PostgresOutbox.builder(dataSource).schema(schema).retention(retention).build();
        }
        opened.add(outbox);
        return outbox;
    }

    static Attempt webhook(long id, String endpoint, int n, int status, Instant at) {
        boolean ok = status >= 200 && status < 300;
        return new Attempt(id, Attempt.Kind.WEBHOOK, endpoint, n, at, Duration.ofMillis(12),
                ok ? Attempt.Outcome.SUCCEEDED : status == 0 ? Attempt.Outcome.TIMEOUT : Attempt.Outcome.ANSWERED,
                status, 1, 640, "msg_" + id, Map.of("content-type", "application/json", "webhook-signature", "v1,***"),
                status == 0 ? null : "{\"status\":\"error\",\"message\":\"answer " + n + "\u0007\"}",
                status == 0 ? "timed out" : null);
    }

    static Attempt upload(long id, String file, boolean ok, long bytes, Instant at) {
        return new Attempt(id, Attempt.Kind.UPLOAD, file, 1, at, Duration.ofMillis(300),
                ok ? Attempt.Outcome.SUCCEEDED : Attempt.Outcome.FAILED, 0, 3, bytes, null, Map.of(), null,
                ok ? null : "status 503 after 3 attempts");
    }

    static PipelineResult result(long id, PipelineResult.Status status) {
        RecordingJob job = RecordingJob.of(recording(id));
        dev.reelay.FileOutcome failed = new dev.reelay.FileOutcome(dev.reelay.FileRole.OTHER, "notes.txt", id + "/notes.txt",
                null, 10, 3, "notes.txt: status 503");
        WebhookOutcome undelivered = new WebhookOutcome("ops", "msg", WebhookOutcome.State.FAILED, 503, 4, null, "503");
        PipelineResult r = switch (status) {
            case COMPLETED -> job.withUploads(List.of(stored(id, "video.mkv"))).result();
            case REJECTED -> job.reject("no").result();
            case PARTIAL -> job.withUploads(List.of(stored(id, "video.mkv"), failed)).result();
            case WEBHOOK_FAILED -> job.withUploads(List.of(stored(id, "video.mkv"))).withWebhooks(List.of(undelivered)).result();
            case UPLOAD_FAILED -> job.withUploads(List.of(failed)).result();
            default -> PipelineResult.notAccepted(recording(id), "ignored");
        };
        assertThat(r.status()).isEqualTo(status);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void attemptsAreKeptNewestFirstBoundedPerTargetAndWithoutWhatTheyMustNotHold(String kind) {
        Outbox outbox = open(kind, Duration.ofDays(7));
        Lease lease = one(outbox.accept(recording(1), "v1")).lease();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
        for (int n = 1; n <= 25; n++) {
            write(outbox.attempt(lease, webhook(1, "ops", n, n == 25 ? 201 : 503, t0.plusSeconds(n))));
        }
        write(outbox.attempt(lease, webhook(1, "audit", 1, 0, t0.plusSeconds(30))));
        write(outbox.attempt(lease, upload(1, "video.mkv", true, 5_000_000, t0)));

        List<Attempt> attempts = new ArrayList<>();
        StepVerifier.create(outbox.attempts(1)).recordWith(() -> attempts).thenConsumeWhile(a -> true)
                .expectComplete().verify(LIMIT);
        assertThat(attempts).filteredOn(a -> a.target().equals("ops")).extracting(Attempt::number)
                .as("the newest %d of 25", Attempt.KEPT_PER_TARGET).containsExactlyElementsOf(
                        java.util.stream.IntStream.rangeClosed(6, 25).boxed().toList());
        assertThat(attempts.get(0).kind()).as("oldest first").isEqualTo(Attempt.Kind.UPLOAD);
        Attempt last = attempts.stream().filter(a -> a.target().equals("ops")).reduce((a, b) -> b).orElseThrow();
        assertThat(last.outcome()).isEqualTo(Attempt.Outcome.SUCCEEDED);
        assertThat(last.statusCode()).isEqualTo(201);
        assertThat(last.requestHeaders()).containsEntry("webhook-signature", "v1,***");
        Attempt failed = attempts.stream().filter(a -> a.number() == 24).findFirst().orElseThrow();
        assertThat(failed.answer()).as("control characters escaped").contains("answer 24\\u0007");
        Attempt timeout = attempts.stream().filter(a -> a.target().equals("audit")).findFirst().orElseThrow();
        assertThat(timeout.outcome()).isEqualTo(Attempt.Outcome.TIMEOUT);
        assertThat(timeout.answer()).isNull();
        assertThat(timeout.error()).isEqualTo("timed out");
        StepVerifier.create(outbox.attempts(2)).expectComplete().verify(LIMIT);

        write(outbox.release(lease));
        Lease stale = lease;
        StepVerifier.create(outbox.attempt(stale, webhook(1, "ops", 26, 200, t0)))
                .as("an attempt is written under the lease, like every other write")
                .expectError(LeaseLostException.class).verify(LIMIT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void attemptsArePrunedWithTheirEntry(String kind) throws Exception {
        Outbox outbox = open(kind, Duration.ofMillis(1));
        Lease lease = one(outbox.accept(recording(1), "v1")).lease();
        write(outbox.attempt(lease, webhook(1, "ops", 1, 201, Instant.now())));
        write(outbox.finish(lease, result(1, PipelineResult.Status.COMPLETED), OutboxEntry.State.DONE, null));
        Lease pending = one(outbox.accept(recording(2), "v1")).lease();
        write(outbox.attempt(pending, webhook(2, "ops", 1, 503, Instant.now())));
        write(outbox.finish(pending, result(2, PipelineResult.Status.WEBHOOK_FAILED), OutboxEntry.State.PENDING,
                Instant.now()));
        Thread.sleep(5);
        if (kind.equals("sqlite")) {
            outbox.close(); // the embedded journal prunes when it opens (and every thousandth finish)
            outbox = open(kind, Duration.ofMillis(1));
        } else {
            Outbox other = open(kind, Duration.ofMillis(1)); // an instance prunes on its first finish
            write(other.finish(one(other.accept(recording(3), "v1")).lease(),
                    result(3, PipelineResult.Status.WEBHOOK_FAILED), OutboxEntry.State.PENDING, Instant.now()));
        }
        StepVerifier.create(outbox.entry(1)).expectComplete().verify(LIMIT);
        StepVerifier.create(outbox.attempts(1)).as("pruned with its entry").expectComplete().verify(LIMIT);
        StepVerifier.create(outbox.attempts(2)).as("a pending entry keeps its attempts").expectNextCount(1)
                .expectComplete().verify(LIMIT);
        assertThat(attemptRows(kind, outbox)).isEqualTo(1);
    }

    long attemptRows(String kind, Outbox outbox) throws Exception {
        String sql = kind.equals("sqlite") ? "SELECT count(*) FROM attempts" : "SELECT count(*) FROM " + schema + ".reelay_attempts";
        try (Connection c = kind.equals("sqlite") ? java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"))
                : dataSource.getConnection();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void listingsPageNewestFirstAndFilterByStateResultEndpointAndText(String kind) {
        Outbox outbox = open(kind, Duration.ofDays(7));
        // 1..12 accepted in order; 3 parked at ops, 5 partial, 7 webhook failed at audit, 9 done, 12 in flight
        for (long id = 1; id <= 12; id++) {
            dev.reelay.Recording.Builder b = Recordings.base(id).title(id == 7 ? "Weekly <b>sync</b>" : "Meeting " + id)
                    .video(Path.of("/data/" + id + "/video.mkv"));
            if (id == 3) {
                b.user("ada", "Ada.Lovelace@example.org");
            }
            Lease lease = one(outbox.accept(b.build(), "v1")).lease();
            if (id == 3) {
                write(outbox.delivery(lease, new WebhookOutcome("ops", "msg_3", WebhookOutcome.State.PARKED, 404, 1, null, "404")));
                write(outbox.finish(lease, result(3, PipelineResult.Status.WEBHOOK_FAILED), OutboxEntry.State.PARKED, null));
            } else if (id == 5) {
                write(outbox.finish(lease, result(5, PipelineResult.Status.PARTIAL), OutboxEntry.State.PENDING, null));
            } else if (id == 7) {
                write(outbox.delivery(lease, new WebhookOutcome("audit", "msg_7", WebhookOutcome.State.FAILED, 503, 4, null, "503")));
                write(outbox.finish(lease, result(7, PipelineResult.Status.WEBHOOK_FAILED), OutboxEntry.State.PENDING, null));
            } else if (id != 12) {
                write(outbox.delivery(lease, new WebhookOutcome("ops", "msg_" + id, WebhookOutcome.State.DELIVERED, 201, 1, null, null)));
                write(outbox.finish(lease, result(id, PipelineResult.Status.COMPLETED), OutboxEntry.State.DONE, null));
            }
        }

        OutboxPage first = one(outbox.list(OutboxQuery.builder().limit(5).build()));
        assertThat(first.entries()).extracting(OutboxEntry::id).containsExactly(12L, 11L, 10L, 9L, 8L);
        OutboxPage second = one(outbox.list(OutboxQuery.builder().limit(5).after(first.next()).build()));
        assertThat(second.entries()).extracting(OutboxEntry::id).containsExactly(7L, 6L, 5L, 4L, 3L);
        OutboxPage third = one(outbox.list(OutboxQuery.builder().limit(5).after(second.next()).build()));
        assertThat(third.entries()).extracting(OutboxEntry::id).containsExactly(2L, 1L);
        assertThat(third.nextCursor()).isEmpty();

        assertThat(ids(outbox, OutboxQuery.builder().states(OutboxEntry.State.PARKED).build())).containsExactly(3L);
        assertThat(ids(outbox, OutboxQuery.builder().states(OutboxEntry.State.PENDING)
                .results(PipelineResult.Status.PARTIAL).build())).containsExactly(5L);
        assertThat(ids(outbox, OutboxQuery.builder().states(OutboxEntry.State.IN_PROGRESS).build())).containsExactly(12L);
        assertThat(ids(outbox, OutboxQuery.builder().endpoint("audit").build())).containsExactly(7L);
        assertThat(ids(outbox, OutboxQuery.builder().endpoint("ops").states(OutboxEntry.State.DONE).limit(3).build()))
                .containsExactly(11L, 10L, 9L);
        assertThat(ids(outbox, OutboxQuery.builder().text("ada.LOVELACE@").build())).as("email, ASCII case ignored")
                .containsExactly(3L);
        assertThat(ids(outbox, OutboxQuery.builder().text("<b>SYNC").build())).as("title").containsExactly(7L);
        assertThat(ids(outbox, OutboxQuery.builder().text("11").build())).as("an id, or a title that has it")
                .containsExactly(11L);
        assertThat(ids(outbox, OutboxQuery.builder().text("100%_").build())).as("LIKE's wildcards are literal").isEmpty();
        OutboxEntry parked = one(outbox.list(OutboxQuery.builder().states(OutboxEntry.State.PARKED).build())).entries().get(0);
        assertThat(parked.deliveries()).singleElement().extracting(WebhookOutcome::statusCode).isEqualTo(404);
        assertThat(parked.lastResult()).isEqualTo(PipelineResult.Status.WEBHOOK_FAILED);

        assertThat(one(outbox.lastResults())).containsOnly(Map.entry(PipelineResult.Status.COMPLETED, 8L),
                Map.entry(PipelineResult.Status.PARTIAL, 1L), Map.entry(PipelineResult.Status.WEBHOOK_FAILED, 1L));
    }

    static List<Long> ids(Outbox outbox, OutboxQuery query) {
        return one(outbox.list(query)).entries().stream().map(OutboxEntry::id).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void activityByMinuteAndEndpointHealthComeFromTheAttemptLog(String kind) {
        Outbox outbox = open(kind, Duration.ofDays(7));
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(10, ChronoUnit.MINUTES);
        Lease lease = one(outbox.accept(recording(1), "v1")).lease();
        write(outbox.attempt(lease, upload(1, "video.mkv", true, 6_000_000, minute.plusSeconds(1))));
        write(outbox.attempt(lease, upload(1, "notes.txt", true, 1_000, minute.plusSeconds(2))));
        write(outbox.attempt(lease, upload(1, "thumbnail.jpg", false, 5, minute.plusSeconds(3))));
        write(outbox.attempt(lease, webhook(1, "ops", 1, 503, minute.plusSeconds(70))));
        write(outbox.attempt(lease, webhook(1, "ops", 2, 201, minute.plusSeconds(80))));
        write(outbox.attempt(lease, webhook(1, "audit", 1, 0, minute.plusSeconds(90))));
        write(outbox.attempt(lease, webhook(1, "old", 1, 200, minute.minus(3, ChronoUnit.HOURS))));
        write(outbox.disableEndpoint("gone", "status 410"));

        List<Activity> activity = one(outbox.activity(minute.minus(1, ChronoUnit.HOURS)));
        assertThat(activity).containsExactly(
                new Activity(minute, 6_001_000, 2, 1, 0, 0),
                new Activity(minute.plusSeconds(60), 0, 0, 0, 1, 2));

        List<EndpointHealth> health = one(outbox.endpointHealth(minute.minus(1, ChronoUnit.HOURS)));
        assertThat(health).extracting(EndpointHealth::endpoint).containsExactly("audit", "gone", "ops");
        EndpointHealth ops = health.get(2);
        assertThat(ops.attempts()).isEqualTo(2);
        assertThat(ops.succeeded()).isEqualTo(1);
        assertThat(ops.successRate()).hasValue(0.5);
        assertThat(ops.lastFailure()).startsWith("status 503: {\"status\":\"error\"");
        assertThat(ops.lastSuccessAt()).isEqualTo(minute.plusSeconds(80));
        assertThat(ops.disabled()).isFalse();
        assertThat(health.get(0).lastFailure()).isEqualTo("timed out");
        assertThat(health.get(1).disabled()).isTrue();
        assertThat(health.get(1).disabledReason()).isEqualTo("status 410");
        assertThat(health.get(1).attempts()).isZero();
    }
}
