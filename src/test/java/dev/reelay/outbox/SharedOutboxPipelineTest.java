package dev.reelay.outbox;

import static dev.reelay.outbox.OutboxPipelineTest.one;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.PostgresServer;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver.Scripted;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** Two pipelines, as two host instances would run them, sharing one journal in PostgreSQL. */
class SharedOutboxPipelineTest extends ServersTest {

    static HikariDataSource dataSource;
    final String schema = PostgresServer.freshSchema();
    final List<Outbox> outboxes = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPostgres() {
        dataSource = PostgresServer.shared().dataSource(8);
    }

    @org.junit.jupiter.api.AfterEach
    void closeOutboxes() {
        outboxes.forEach(Outbox::close);
    }

    @AfterAll
    static void closePool() {
        dataSource.close();
    }

    /** An instance: its own pipeline and its own outbox on the test's tables, closed by the pipeline. */
    RecordingPipeline instance(String name) {
        Outbox outbox = PostgresOutbox.builder(dataSource).schema(schema).instanceName(name).build();
        outboxes.add(outbox);
        return RecordingPipeline.create(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(WebhookEndpoint.builder(receiver.url()).attemptTimeout(Duration.ofSeconds(30))
                        .retry(Retry.backoff(2, Duration.ofMillis(10))).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder()
                        .outbox(outbox)
                        .build())
                .build());
    }

    Recording recording(long id) {
        return Recordings.base(id).video(Recordings.file(dir.resolve(Long.toString(id)), "video.mkv", 5_000)).build();
    }

    @Test
    void aRecordingAnotherInstanceRunsIsADuplicateThatNamesThatInstance() throws InterruptedException {
        receiver.stallRecording(1);
        try (RecordingPipeline a = instance("host-a"); RecordingPipeline b = instance("host-b")) {
            Disposable running = a.submit(recording(1)).subscribe();
            try {
                assertThat(receiver.awaitRequests(1, LIMIT)).isTrue();
                PipelineResult duplicate = one(b.submit(recording(1)));
                assertThat(duplicate.status()).isEqualTo(Status.REJECTED);
                assertThat(duplicate.reason()).hasValueSatisfying(r -> assertThat(r)
                        .contains("already being processed by host-a-"));
                assertThat(one(b.retry(1)).reason()).hasValueSatisfying(r -> assertThat(r).contains("host-a-"));
                StepVerifier.create(b.resume()).as("nothing of a's to resume").expectComplete().verify(LIMIT);
            } finally {
                running.dispose();
            }
        }
    }

    @Test
    void pendingRetryAndEnablingAnEndpointWorkFromAnyInstance() {
        try (RecordingPipeline a = instance("host-a"); RecordingPipeline b = instance("host-b")) {
            Recording newcomer = Recordings.base(2).user("newcomer", "newcomer@example.com")
                    .video(Recordings.file(dir.resolve("2"), "video.mkv", 5_000)).build();
            assertThat(one(a.submit(newcomer)).status()).isEqualTo(Status.WEBHOOK_FAILED);
            StepVerifier.create(b.pending())
                    .assertNext(e -> assertThat(e.state()).isEqualTo(OutboxEntry.State.PARKED))
                    .expectComplete()
                    .verify(LIMIT);
            receiver.addUser("newcomer@example.com");
            assertThat(one(b.retry(2)).status()).isEqualTo(Status.COMPLETED);
            StepVerifier.create(a.pending()).expectComplete().verify(LIMIT);

            receiver.script(Scripted.status(410));
            PipelineResult gone = one(a.submit(recording(3)));
            assertThat(gone.webhooks().get(0).state()).isEqualTo(WebhookOutcome.State.GONE);
            PipelineResult skipped = one(b.submit(recording(4)));
            assertThat(skipped.webhooks().get(0).state()).as("disabled for every instance").isEqualTo(WebhookOutcome.State.GONE);
            assertThat(skipped.webhooks().get(0).attempts()).isZero();

            StepVerifier.create(b.enableEndpoint(receiver.url())).expectComplete().verify(LIMIT);
            assertThat(one(a.retry(4)).status()).isEqualTo(Status.COMPLETED);
            assertThat(one(a.retry(3)).status()).isEqualTo(Status.COMPLETED);
            receiver.assertEveryDeliveredRepeatsSameId(List.of(2L, 3L, 4L));
        }
    }

    /**
     * Instance a stores a recording's files and then stalls (a host's stage holds it); its lease
     * runs out and b takes the recording over and completes it. When a goes on, the journal refuses
     * its writes, and a delivers nothing: the receiver gets the webhook once, from b.
     */
    @Test
    void aRunWhoseRecordingWasTakenOverDeliversNothing() throws Exception {
        Outbox outboxA = PostgresOutbox.builder(dataSource).schema(schema).instanceName("host-a")
                .lease(Duration.ofMinutes(1)).build();
        outboxes.add(outboxA);
        reactor.core.publisher.Sinks.One<Boolean> reached = reactor.core.publisher.Sinks.one();
        reactor.core.publisher.Sinks.One<Boolean> gate = reactor.core.publisher.Sinks.one();
        try (RecordingPipeline a = RecordingPipeline.create(PipelineOptions.builder()
                     .s3(s3.sharedClientOptions().build())
                     .webhook(receiver.url())
                     .media(MediaOptions.disabled())
                     .outbox(OutboxOptions.builder().outbox(outboxA).build())
                     .build(),
                stages -> stages.prepare().andThen(stages.upload())
                        .andThen(jobs -> jobs.doOnNext(j -> reached.tryEmitValue(true)).delayUntil(j -> gate.asMono()))
                        .andThen(stages.metadata()).andThen(stages.deliver()));
             RecordingPipeline b = instance("host-b")) {
            java.util.concurrent.atomic.AtomicReference<PipelineResult> resultA = new java.util.concurrent.atomic.AtomicReference<>();
            Disposable running = a.submit(recording(6)).subscribe(resultA::set);
            try {
                StepVerifier.create(reached.asMono()).expectNext(true).expectComplete().verify(LIMIT);
                // a's lease runs out (as if a had been paused for a minute)
                try (java.sql.Connection c = PostgresServer.shared().connect(); java.sql.Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE " + schema + ".reelay_recordings SET lease_until = 0 WHERE id = 6");
                }
                assertThat(one(b.retry(6)).status()).isEqualTo(Status.COMPLETED);

                gate.tryEmitValue(true);
                StepVerifier.create(reactor.core.publisher.Mono.fromSupplier(resultA::get)
                                .repeatWhenEmpty(r -> r.delayElements(Duration.ofMillis(50))))
                        .assertNext(r -> {
                            assertThat(r.status()).isEqualTo(Status.REJECTED);
                            assertThat(r.reason()).hasValueSatisfying(why -> assertThat(why).contains("took it over"));
                        })
                        .expectComplete()
                        .verify(LIMIT);
                assertThat(receiver.deliveries().get(6L)).as("delivered once, by b").hasSize(1);
                assertThat(one(b.outbox().entry(6)).state()).isEqualTo(OutboxEntry.State.DONE);
            } finally {
                running.dispose();
            }
        }
    }

    @Test
    void aPipelineMakesAndClosesAJournalInPostgresFromADataSource() {
        try (RecordingPipeline a = RecordingPipeline.create(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(receiver.url())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().postgres(dataSource).build())
                .build())) {
            assertThat(one(a.submit(recording(5))).status()).isEqualTo(Status.COMPLETED);
            assertThat(a.outbox().toString()).contains("reelay_");
            assertThat(one(a.outbox().entry(5)).state()).isEqualTo(OutboxEntry.State.DONE);
        }
    }
}
