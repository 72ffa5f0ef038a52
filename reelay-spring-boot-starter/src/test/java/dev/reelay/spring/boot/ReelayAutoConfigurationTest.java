package dev.reelay.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineClosedException;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.micrometer.ReelayMetrics;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.spring.boot.internal.InvalidReelayPropertyFailureAnalyzer;
import dev.reelay.spring.boot.internal.PipelineLifecycle;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import io.micrometer.observation.ObservationRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions and properties, against a real S3 server (S3Proxy) and a real receiver. */
class ReelayAutoConfigurationTest extends StarterServers {

    static final String WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    @TempDir
    Path dir;

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReelayAutoConfiguration.class))
                .withPropertyValues(store())
                .withPropertyValues(
                        "reelay.webhooks[0].url=" + receiver.url(),
                        "reelay.webhooks[0].name=ops",
                        "reelay.webhooks[0].secret=" + WEBHOOK_SECRET,
                        "reelay.media.enabled=false",
                        "reelay.outbox.directory=" + dir.resolve("outbox"),
                        "reelay.lifecycle.close-grace-period=1s");
    }

    @Test
    void propertiesAloneMakeAPipelineThatDelivers() {
        long id = 190_001;
        runner().run(context -> {
            assertThat(context).hasSingleBean(RecordingPipeline.class).hasSingleBean(PipelineOptions.class)
                    .hasSingleBean(PipelineLifecycle.class);
            PipelineOptions options = context.getBean(PipelineOptions.class);
            assertThat(options.s3().orElseThrow().bucket()).isEqualTo(S3TestServer.BUCKET);
            assertThat(options.webhooks()).singleElement().satisfies(w -> {
                assertThat(w.displayName()).isEqualTo("ops");
                assertThat(w.signingKeys()).hasSize(1);
            });
            assertThat(options.outbox().directory()).isEqualTo(dir.resolve("outbox"));

            PipelineResult result = context.getBean(RecordingPipeline.class)
                    .submit(Recordings.threeFiles(dir, id, 1000, 200, 300)).block(Duration.ofSeconds(30));
            assertThat(result.status()).isEqualTo(PipelineResult.Status.COMPLETED);
        });
        assertThat(receiver.deliveries().get(id)).hasSize(1);
        assertThat(receiver.requests().stream().filter(r -> r.json().path("recording_id").asLong() == id))
                .singleElement().satisfies(r -> assertThat(r.headers().get("webhook-signature")).startsWith("v1,"));
        assertThat(s3.exists(id + "/video.mkv")).isTrue();
        assertThat(s3.read(id + "/video.mkv")).hasSize(1000);
    }

    @Test
    void aHostsOwnPipelineWinsAndNeedsNoProperties() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReelayAutoConfiguration.class))
                .withUserConfiguration(HostPipeline.class)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(RecordingPipeline.class)
                            .doesNotHaveBean(PipelineOptions.class);
                    assertThat(context.getBean(RecordingPipeline.class)).isSameAs(context.getBean(HostPipeline.class).pipeline);
                    // the host's pipeline still runs with the context
                    assertThat(context).hasSingleBean(PipelineLifecycle.class);
                });
    }

    @Test
    void aHostsOwnOptionsWinOverTheProperties() {
        runner().withUserConfiguration(HostOptions.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PipelineOptions.class).uploadSource()).isEqualTo("host-options");
        });
    }

    @Test
    void customizersChangeTheOptions() {
        runner().withBean(PipelineOptionsCustomizer.class, () -> b -> b.uploadSource("customized"))
                .run(context -> assertThat(context.getBean(PipelineOptions.class).uploadSource()).isEqualTo("customized"));
    }

    @Test
    void propertiesReachTheOptions() {
        runner().withPropertyValues(
                        "reelay.bounds.recordings-in-flight=3",
                        "reelay.bounds.uploads-in-flight=5",
                        "reelay.store.part-size=6MB",
                        "reelay.store.key-prefix=meetings",
                        "reelay.outbox.retry-schedule=2m,10m",
                        "reelay.webhooks[0].attempt-timeout=7s",
                        "reelay.webhooks[1].url=https://hooks.example.com/services/T0/B0/XXXX",
                        "reelay.webhooks[1].secret-path=true",
                        "reelay.webhooks[1].bearer-token=token-of-the-second-endpoint",
                        "reelay.network-policy.public-only=true",
                        "reelay.network-policy.allow=127.0.0.1")
                .run(context -> {
                    PipelineOptions o = context.getBean(PipelineOptions.class);
                    assertThat(o.recordingsInFlight()).isEqualTo(3);
                    assertThat(o.uploadsInFlight()).isEqualTo(5);
                    assertThat(o.s3().orElseThrow().partSize()).isEqualTo(6L * 1024 * 1024);
                    assertThat(o.outbox().retrySchedule()).containsExactly(Duration.ofMinutes(2), Duration.ofMinutes(10));
                    assertThat(o.webhooks()).hasSize(2);
                    assertThat(o.webhooks().get(0).attemptTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(o.webhooks().get(1).bearerToken()).contains("token-of-the-second-endpoint");
                    assertThat(o.webhooks().get(1).displayUrl()).doesNotContain("XXXX");
                    assertThat(o.networkPolicy().allowsAll()).isFalse();
                    assertThat(o.networkPolicy().allowed()).containsExactly("127.0.0.1");
                });
    }

    @Test
    void theDefaultsOfThePropertiesAreTheLibrarysDefaults() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReelayAutoConfiguration.class))
                .withPropertyValues("reelay.store.region=us-west-1", "reelay.store.bucket=b", "reelay.webhooks[0].url=https://ops.example.com/hook")
                .run(context -> {
                    PipelineOptions starter = context.getBean(PipelineOptions.class);
                    PipelineOptions library = PipelineOptions.builder()
                            .s3(dev.reelay.storage.S3StorageOptions.builder().region("us-west-1").bucket("b").build())
                            .webhook("https://ops.example.com/hook")
                            .build();
                    assertThat(starter.recordingsInFlight()).isEqualTo(library.recordingsInFlight());
                    assertThat(starter.uploadsInFlight()).isEqualTo(library.uploadsInFlight());
                    assertThat(starter.uploadTimeout()).isEqualTo(library.uploadTimeout());
                    assertThat(starter.closeGracePeriod()).isEqualTo(library.closeGracePeriod());
                    assertThat(starter.uploadSource()).isEqualTo(library.uploadSource());
                    assertThat(starter.metadataFileName()).isEqualTo(library.metadataFileName());
                    var s3 = starter.s3().orElseThrow();
                    var s3Library = library.s3().orElseThrow();
                    assertThat(s3.multipartThreshold()).isEqualTo(s3Library.multipartThreshold());
                    assertThat(s3.partSize()).isEqualTo(s3Library.partSize());
                    assertThat(s3.partsInFlight()).isEqualTo(s3Library.partsInFlight());
                    assertThat(s3.maxConnections()).isEqualTo(s3Library.maxConnections());
                    assertThat(s3.idleTimeout()).isEqualTo(s3Library.idleTimeout());
                    assertThat(s3.credentials()).isEmpty();   // the SDK's default chain
                    var w = starter.webhooks().get(0);
                    var wLibrary = library.webhooks().get(0);
                    assertThat(w.attemptTimeout()).isEqualTo(wLibrary.attemptTimeout());
                    assertThat(w.deadline()).isEqualTo(wLibrary.deadline());
                    var m = starter.media();
                    var mLibrary = library.media();
                    assertThat(m.enabled()).isEqualTo(mLibrary.enabled());
                    assertThat(m.thumbnailOffset()).isEqualTo(mLibrary.thumbnailOffset());
                    assertThat(m.thumbnailMaxWidth()).isEqualTo(mLibrary.thumbnailMaxWidth());
                    assertThat(m.jpegQuality()).isEqualTo(mLibrary.jpegQuality());
                    assertThat(m.workDirectory()).isEqualTo(mLibrary.workDirectory());
                    assertThat(m.decodersInFlight()).isEqualTo(mLibrary.decodersInFlight());
                    assertThat(m.timeout()).isEqualTo(mLibrary.timeout());
                    var o = starter.outbox();
                    var oLibrary = library.outbox();
                    assertThat(o.directory()).isEqualTo(oLibrary.directory());
                    assertThat(o.retrySchedule()).isEqualTo(oLibrary.retrySchedule());
                    assertThat(o.giveUpAfter()).isEqualTo(oLibrary.giveUpAfter());
                    assertThat(o.retention()).isEqualTo(oLibrary.retention());
                    assertThat(starter.networkPolicy().allowsAll()).isTrue();
                    assertThat(starter.observationRegistry()).isEmpty();
                });
    }

    @Test
    void missingBucketFailsTheStartNamingTheProperty() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReelayAutoConfiguration.class))
                .withPropertyValues("reelay.store.region=us-west-1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = analysis(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'reelay.store.bucket'").contains("must be set");
                    assertThat(analysis.getAction()).contains("reelay.store.bucket").contains("REELAY_STORE_BUCKET");
                });
    }

    @Test
    void anInvalidSecretFailsNamingThePropertyWithoutPrintingIt() {
        String secret = "whsec_this-is-not-base64-but-a-secret!";
        runner().withPropertyValues("reelay.webhooks[0].secret=" + secret).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("'reelay.webhooks[0].secret'").contains("not base64");
            assertThat(everything(context.getStartupFailure()) + analysis.getDescription() + analysis.getAction())
                    .doesNotContain("this-is-not-base64-but-a-secret");
        });
    }

    @Test
    void oneCredentialWithoutTheOtherFailsNamingTheMissingOne() {
        runner().withPropertyValues("reelay.store.access-key-id=").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("'reelay.store.access-key-id'").contains("must be set with");
            assertThat(everything(context.getStartupFailure()) + analysis.getDescription()).doesNotContain(S3TestServer.SECRET_KEY);
        });
    }

    @Test
    void anOutOfRangeBoundFailsNamingTheProperty() {
        runner().withPropertyValues("reelay.bounds.uploads-in-flight=0").run(context ->
                assertThat(analysis(context.getStartupFailure()).getDescription()).contains("'reelay.bounds.uploads-in-flight'"));
    }

    @Test
    void postgresWithoutADataSourceFailsNamingTheProperty() {
        runner().withPropertyValues("reelay.outbox.type=postgres").run(context ->
                assertThat(analysis(context.getStartupFailure()).getDescription())
                        .contains("'reelay.outbox.type'").contains("DataSource"));
    }

    @Test
    void reelayEnabledFalseLeavesEverythingOut() {
        runner().withPropertyValues("reelay.enabled=false").run(context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(RecordingPipeline.class).doesNotHaveBean(PipelineLifecycle.class));
    }

    @Test
    void theContextsStopClosesThePipeline() {
        RecordingPipeline[] pipeline = new RecordingPipeline[1];
        runner().run(context -> pipeline[0] = context.getBean(RecordingPipeline.class));
        // the lifecycle closed it: a closed pipeline refuses work
        Throwable refused = pipeline[0].submit(Recordings.threeFiles(dir, 190_002, 10, 10, 10))
                .map(r -> (Throwable) null).onErrorResume(e -> reactor.core.publisher.Mono.just(e)).block(Duration.ofSeconds(10));
        assertThat(refused).isInstanceOf(PipelineClosedException.class);
    }

    @Test
    void retryDueRunsOnTheIntervalUntilTheContextStops() {
        long id = 190_003;
        // the receiver fails the first attempts, so the delivery waits in the journal for the slow schedule
        receiver.script(id, TestReceiver.Scripted.status(500), TestReceiver.Scripted.status(500),
                TestReceiver.Scripted.status(500), TestReceiver.Scripted.status(500));
        runner().withPropertyValues(
                        "reelay.webhooks[0].deadline=300ms",
                        "reelay.webhooks[0].attempt-timeout=200ms",
                        "reelay.outbox.retry-schedule=200ms",
                        "reelay.lifecycle.retry-interval=100ms")
                .run(context -> {
                    RecordingPipeline pipeline = context.getBean(RecordingPipeline.class);
                    PipelineResult first = pipeline.submit(Recordings.threeFiles(dir, id, 100, 10, 10)).block(Duration.ofSeconds(30));
                    assertThat(first.status()).isEqualTo(PipelineResult.Status.WEBHOOK_FAILED);
                    assertThat(receiver.deliveries().get(id)).isNull();
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (receiver.deliveries().get(id) == null && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                });
        // delivered once by retryDue() on the schedule, with the webhook-id of the failed attempts
        assertThat(receiver.deliveries().get(id)).as("taken deliveries of %d", id).hasSize(1);
        assertThat(receiver.attempts().stream().filter(d -> d.recordingId() == id).map(TestReceiver.Delivery::webhookId).distinct())
                .hasSize(1);
    }

    @Test
    void metersAreBoundToTheApplicationsRegistry() {
        long id = 190_004;
        runner().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(ReelayMetrics.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("reelay.recordings.active").gauge()).isNotNull();
                    assertThat(registry.find("reelay.journal.backlog").gauges()).isNotEmpty();
                    context.getBean(RecordingPipeline.class).submit(Recordings.threeFiles(dir, id, 100, 10, 10))
                            .block(Duration.ofSeconds(30));
                    // counted from the pipeline's events, which reach the meters a moment after the result
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (registry.find("reelay.recordings").tag("status", "completed").counter() == null
                            && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(registry.find("reelay.recordings").tag("status", "completed").counter().count()).isEqualTo(1.0);
                });
        runner().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withPropertyValues("reelay.metrics.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ReelayMetrics.class));
    }

    @Test
    void metricsAndObservationsStayOutWithoutRegistries() {
        runner().run(context -> {
            assertThat(context).doesNotHaveBean(ReelayMetrics.class);
            assertThat(context.getBean(PipelineOptions.class).observationRegistry()).isEmpty();
        });
    }

    @Test
    void observationsGoToTheApplicationsRegistry() {
        ObservationRegistry registry = ObservationRegistry.create();
        runner().withBean(ObservationRegistry.class, () -> registry).run(context ->
                assertThat(context.getBean(PipelineOptions.class).observationRegistry()).containsSame(registry));
        runner().withBean(ObservationRegistry.class, () -> registry).withPropertyValues("reelay.observations.enabled=false")
                .run(context -> assertThat(context.getBean(PipelineOptions.class).observationRegistry()).isEmpty());
    }

    @Test
    void anApplicationWithoutActuatorMicrometerOrTheDashboardStillGetsItsPipeline() {
        runner().withClassLoader(new FilteredClassLoader("org.springframework.boot.health", "io.micrometer",
                        "dev.reelay.dashboard"))
                .withPropertyValues("reelay.dashboard.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(RecordingPipeline.class).hasSingleBean(PipelineLifecycle.class)
                            .doesNotHaveBean("reelayHealthIndicator").doesNotHaveBean("reelayMetrics")
                            .doesNotHaveBean("reelayDashboard");
                });
    }

    @Test
    void propertiesPrintNoSecret() {
        ReelayProperties p = new ReelayProperties();
        p.getStore().setAccessKeyId(S3TestServer.ACCESS_KEY);
        p.getStore().setSecretAccessKey(S3TestServer.SECRET_KEY);
        ReelayProperties.Webhook w = new ReelayProperties.Webhook();
        w.setUrl("https://hooks.example.com/services/T0/B0/XXXXSECRETPATH");
        w.setSecret(WEBHOOK_SECRET);
        w.setBearerToken("bearer-token-value-123");
        p.setWebhooks(new ArrayList<>(List.of(w)));
        p.getDashboard().setToken("dashboard-token-value-123");
        assertThat(p.toString() + p.getStore() + w + p.getDashboard())
                .doesNotContain(S3TestServer.SECRET_KEY, S3TestServer.ACCESS_KEY, WEBHOOK_SECRET, "XXXXSECRETPATH",
                        "bearer-token-value-123", "dashboard-token-value-123");
    }

    @Test
    void configurationMetadataDescribesTheProperties() throws Exception {
        try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
            String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(json).contains("\"reelay.store.bucket\"", "\"reelay.webhooks\"", "\"reelay.outbox.type\"",
                    "\"reelay.lifecycle.retry-interval\"", "\"reelay.health.max-backlog-age\"", "\"reelay.dashboard.enabled\"",
                    "The bucket, sent as bucket_name");
        }
    }

    static FailureAnalysis analysis(Throwable failure) {
        FailureAnalysis analysis = new InvalidReelayPropertyFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        return analysis;
    }

    static String everything(Throwable failure) {
        StringWriter out = new StringWriter();
        failure.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class HostPipeline {
        final RecordingPipeline pipeline = RecordingPipeline.create(PipelineOptions.builder()
                .s3(s3.options().build())
                .outbox(OutboxOptions.disabled())
                .build());

        @Bean
        RecordingPipeline hostPipeline() {
            return pipeline;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HostOptions {
        @Bean
        PipelineOptions hostOptions() {
            return PipelineOptions.builder().s3(s3.options().build()).outbox(OutboxOptions.disabled())
                    .uploadSource("host-options").build();
        }
    }
}
