package dev.reelay.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code reelay} health indicator: backlog, threshold, disabled endpoints and a journal that cannot be used. */
class ReelayHealthTest extends StarterServers {

    @TempDir
    Path dir;

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReelayAutoConfiguration.class))
                .withPropertyValues(store())
                .withPropertyValues(
                        "reelay.webhooks[0].url=" + receiver.url() + "?token=query-secret-123",
                        "reelay.webhooks[0].name=ops",
                        "reelay.webhooks[0].bearer-token=bearer-secret-456",
                        "reelay.media.enabled=false",
                        "reelay.lifecycle.retry-interval=0",
                        "reelay.outbox.directory=" + dir.resolve("outbox"));
    }

    /** A recording of a user the receiver does not know: 404, parked in the journal. */
    static void park(RecordingPipeline pipeline, Path dir, long id) {
        PipelineResult r = pipeline.submit(Recordings.base(id).user("nobody", "nobody@example.com")
                .video(Recordings.file(dir.resolve(Long.toString(id)), "video.mkv", 100)).build()).block(Duration.ofSeconds(30));
        assertThat(r.status()).isEqualTo(PipelineResult.Status.WEBHOOK_FAILED);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Long> backlog(Health health) {
        return (Map<String, Long>) health.getDetails().get("backlog");
    }

    @Test
    void upWithTheBacklogAsDetails() {
        runner().run(context -> {
            HealthIndicator health = context.getBean("reelayHealthIndicator", HealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(backlog(health.health())).containsEntry("parked", 0L).containsEntry("pending", 0L);

            park(context.getBean(RecordingPipeline.class), dir, 191_001);
            Health after = health.health();
            assertThat(after.getStatus()).isEqualTo(Status.UP);   // no threshold by default
            assertThat(backlog(after)).containsEntry("parked", 1L);
            assertThat(Duration.parse((String) after.getDetails().get("oldestWaiting"))).isPositive();
        });
    }

    @Test
    void aBacklogOlderThanTheThresholdIsOutOfServiceOrTheStatusConfigured() {
        runner().withPropertyValues("reelay.health.max-backlog-age=1ms").run(context -> {
            HealthIndicator health = context.getBean("reelayHealthIndicator", HealthIndicator.class);
            assertThat(health.health().getStatus()).as("nothing waits").isEqualTo(Status.UP);
            park(context.getBean(RecordingPipeline.class), dir, 191_002);
            Thread.sleep(5);
            assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(health.health().getDetails()).containsEntry("maxBacklogAge", "PT0.001S");
        });
        runner().withPropertyValues("reelay.health.max-backlog-age=1ms", "reelay.health.backlog-status=degraded").run(context -> {
            park(context.getBean(RecordingPipeline.class), dir, 191_003);
            Thread.sleep(5);
            assertThat(context.getBean("reelayHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(new Status("DEGRADED"));
        });
        runner().withPropertyValues("reelay.health.max-backlog-age=1h").run(context -> {
            park(context.getBean(RecordingPipeline.class), dir, 191_004);
            assertThat(context.getBean("reelayHealthIndicator", HealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void downWhenTheJournalCannotBeUsed() {
        runner().run(context -> {
            RecordingPipeline pipeline = context.getBean(RecordingPipeline.class);
            HealthIndicator health = context.getBean("reelayHealthIndicator", HealthIndicator.class);
            pipeline.outbox().close();   // every later write (and read) of the journal fails
            PipelineResult refused = pipeline.submit(Recordings.threeFiles(dir, 191_005, 10, 10, 10)).block(Duration.ofSeconds(30));
            assertThat(refused.status()).isEqualTo(PipelineResult.Status.NOT_ACCEPTED);
            Health down = health.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) down.getDetails().get("journal")).isNotBlank();
        });
    }

    @Test
    void downWhenTheLastJournalWriteFailedThoughItCanStillBeRead() {
        runner().run(context -> {
            RecordingPipeline pipeline = context.getBean(RecordingPipeline.class);
            HealthIndicator health = context.getBean("reelayHealthIndicator", HealthIndicator.class);
            park(pipeline, dir, 191_007);   // the journal is open and holds an entry
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            // deleted under the running pipeline: the journal notices and reports no write as done
            java.nio.file.Files.delete(dir.resolve("outbox").resolve("outbox.db"));
            PipelineResult refused = pipeline.submit(Recordings.threeFiles(dir, 191_008, 10, 10, 10)).block(Duration.ofSeconds(30));
            assertThat(refused.status()).isEqualTo(PipelineResult.Status.NOT_ACCEPTED);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (health.health().getStatus().equals(Status.UP) && System.nanoTime() < deadline) {
                Thread.sleep(20);   // the journal's problem reaches the indicator as an event, a moment after the result
            }
            Health down = health.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails()).containsKey("journal");
        });
    }

    @Test
    void disabledEndpointsAreNamedWithoutTheirSecrets() {
        long id = 191_006;
        receiver.script(id, TestReceiver.Scripted.status(410));
        runner().run(context -> {
            context.getBean(RecordingPipeline.class).submit(Recordings.threeFiles(dir, id, 10, 10, 10)).block(Duration.ofSeconds(30));
            Health health = context.getBean("reelayHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getDetails().get("disabledEndpoints")).asString().contains("ops");
            assertThat(health.toString()).doesNotContain("query-secret-123", "bearer-secret-456", S3TestServer.SECRET_KEY);
        });
    }

    @Test
    void managementHealthReelayEnabledFalseLeavesItOut() {
        runner().withPropertyValues("management.health.reelay.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("reelayHealthIndicator"));
    }
}
