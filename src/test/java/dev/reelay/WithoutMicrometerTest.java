package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reelay.event.PipelineEvent;
import dev.reelay.event.RecordingFinished;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Micrometer is optional: a host without it builds options and processes recordings, events
 * included. The build runs this class alone, in a surefire execution of its own whose classpath has
 * no io.micrometer (nor io.opentelemetry) artifact; the main execution leaves it out.
 */
class WithoutMicrometerTest extends ServersTest {

    @Test
    void aHostWithoutMicrometerProcessesRecordingsAndHearsTheirEvents() throws Exception {
        assertThatThrownBy(() -> Class.forName("io.micrometer.observation.ObservationRegistry"))
                .as("this test runs without Micrometer on the classpath")
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry"))
                .isInstanceOf(ClassNotFoundException.class);

        PipelineOptions options = PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .uploadProgress((id, name, sent, total) -> { })
                .build();
        assertThat(options.observationRegistry()).isEmpty();
        assertThat(PipelineOptions.class.getMethods()).as("the options can be reflected on").isNotEmpty();
        assertThat(options.toBuilder().build().toString()).doesNotContain("traced");

        pipeline = RecordingPipeline.create(options);
        List<PipelineEvent> events = new CopyOnWriteArrayList<>();
        CountDownLatch completed = new CountDownLatch(1);
        pipeline.events().subscribe(events::add, e -> { }, completed::countDown);
        List<PipelineResult> results = new CopyOnWriteArrayList<>();
        StepVerifier.create(pipeline.submit(Recordings.threeFiles(dir, 301, 40_000, 2_000, 300)))
                .recordWith(() -> results).expectNextCount(1).expectComplete().verify(LIMIT);
        PipelineResult result = results.get(0);
        pipeline.close();
        pipeline = null;

        assertThat(result.status()).isEqualTo(PipelineResult.Status.COMPLETED);
        assertThat(receiver.deliveries()).containsOnlyKeys(301L);
        assertThat(completed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(events).last().isInstanceOfSatisfying(RecordingFinished.class,
                f -> assertThat(f.status()).isEqualTo(PipelineResult.Status.COMPLETED));
    }
}
