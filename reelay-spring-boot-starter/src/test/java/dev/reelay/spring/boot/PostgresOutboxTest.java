package dev.reelay.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.outbox.Outbox;
import dev.reelay.support.PostgresServer;
import dev.reelay.support.Recordings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code reelay.outbox.type=postgres}: the shared journal in the PostgreSQL of the application's own DataSource. */
class PostgresOutboxTest extends StarterServers {

    @TempDir
    Path dir;

    @Test
    void theJournalIsInTheApplicationsDatabase() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String schema = PostgresServer.freshSchema();
        long id = 192_001;
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, ReelayAutoConfiguration.class))
                .withPropertyValues(store())
                .withPropertyValues(
                        "spring.datasource.url=" + pg.jdbcUrl(),
                        "reelay.webhooks[0].url=" + receiver.url(),
                        "reelay.media.enabled=false",
                        "reelay.outbox.type=postgres",
                        "reelay.outbox.postgres.schema=" + schema,
                        "reelay.outbox.postgres.instance-name=boot-test",
                        "reelay.outbox.postgres.connections=2")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Outbox.class);
                    RecordingPipeline pipeline = context.getBean(RecordingPipeline.class);
                    assertThat(pipeline.outbox()).isSameAs(context.getBean(Outbox.class));
                    PipelineResult r = pipeline.submit(Recordings.threeFiles(dir, id, 100, 10, 10)).block(Duration.ofSeconds(30));
                    assertThat(r.status()).isEqualTo(PipelineResult.Status.COMPLETED);
                });
        // journaled in the database, and nowhere on this host
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement()
                .executeQuery("select count(*) from " + schema + ".reelay_recordings where id = " + id)) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
        assertThat(dir.resolve("outbox")).doesNotExist();
        assertThat(receiver.deliveries().get(id)).hasSize(1);
    }
}
