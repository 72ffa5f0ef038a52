package dev.reelay.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.media.TestVideos;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Traces of recordings as Micrometer Observations, against a real S3 API server and a real receiver. */
class ObservationsTest extends ServersTest {

    /** Set on a context when its observation stops. */
    static final String STOPPED = "test.stopped";
    static final java.util.function.Predicate<Observation.ContextView> IS_RECORDING =
            p -> p.getName().equals("reelay.recording");

    static TestObservationRegistry registryMarkingStops() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                context.put(STOPPED, true);
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        return registry;
    }

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.builder().workDirectory(dir.resolve("work")).build());
    }

    PipelineResult submitWith(PipelineOptions options, Recording recording) {
        PipelineResult result = submit(options, recording);
        pipeline.close();
        pipeline = null;
        return result;
    }

    @Test
    @SuppressWarnings("unchecked") // the assertions hand a raw ObservationContextAssert to the consumer
    void aRecordingIsObservedWithItsMediaUploadsAndWebhookAttemptsAsChildren() {
        TestObservationRegistry registry = registryMarkingStops();
        receiver.script(Scripted.status(503));
        Recording recording = Recordings.base(231).video(TestVideos.smallVideo(dir, "video"))
                .transcript(Recordings.file(dir, "transcript.txt", 100)).build();

        PipelineResult result = submitWith(options().observationRegistry(registry).build(), recording);

        assertThat(result.status()).isEqualTo(PipelineResult.Status.COMPLETED);
        TestObservationRegistryAssert.assertThat(registry)
                .hasNumberOfObservationsWithNameEqualTo("reelay.recording", 1)
                .hasNumberOfObservationsWithNameEqualTo("reelay.media", 1)
                // video, transcript, the thumbnail cut from the video, metadata.json
                .hasNumberOfObservationsWithNameEqualTo("reelay.upload", 4)
                .hasNumberOfObservationsWithNameEqualTo("reelay.webhook.attempt", 2)
                .forAllObservationsWithNameEqualTo("reelay.recording", o -> o
                        .hasContextualNameEqualTo("recording")
                        .hasLowCardinalityKeyValue("reelay.start", "accepted")
                        .hasLowCardinalityKeyValue("reelay.status", "completed")
                        .hasHighCardinalityKeyValue("reelay.recording.id", "231")
                        .doesNotHaveParentObservation())
                .forAllObservationsWithNameEqualTo("reelay.media", o -> o
                        .hasLowCardinalityKeyValue("reelay.outcome", "done")
                        .hasParentObservationContextMatching(IS_RECORDING))
                .forAllObservationsWithNameEqualTo("reelay.upload", o -> o
                        .hasLowCardinalityKeyValue("reelay.outcome", "stored")
                        .hasLowCardinalityKeyValueWithKey("reelay.file.role")
                        .hasHighCardinalityKeyValue("reelay.recording.id", "231")
                        .hasParentObservationContextMatching(IS_RECORDING))
                .forAllObservationsWithNameEqualTo("reelay.webhook.attempt", o -> o
                        .hasContextualNameEqualTo("webhook POST")
                        .hasLowCardinalityKeyValue("reelay.webhook.endpoint", "127.0.0.1:" + receiver.port())
                        .hasParentObservationContextMatching(IS_RECORDING))
                .hasHandledContextsThatSatisfy(contexts -> {
                    for (Observation.Context c : contexts) {
                        assertThat((Boolean) c.get(STOPPED)).as(c.getName() + " stopped").isTrue();
                    }
                    assertThat(contexts.stream().filter(c -> c.getName().equals("reelay.upload"))
                            .map(c -> c.getLowCardinalityKeyValue("reelay.file.role").getValue()).sorted().toList())
                            .containsExactly("metadata", "thumbnail", "transcript", "video");
                    assertThat(contexts.stream().filter(c -> c.getName().equals("reelay.webhook.attempt"))
                            .map(c -> c.getLowCardinalityKeyValue("reelay.webhook.outcome").getValue()).toList())
                            .containsExactly("5xx", "2xx");
                    // nothing of many values among the tags
                    assertThat(contexts).allSatisfy(c -> assertThat(c.getLowCardinalityKeyValues().stream()
                            .map(kv -> kv.getKey())).doesNotContain("reelay.recording.id", "reelay.file.name"));
                });
    }

    @Test
    void aRecordingRunInsideAHostsObservationIsItsChild() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Recording recording = Recordings.base(232).video(Recordings.file(dir, "video.mkv", 100)).build();
        pipeline = RecordingPipeline.create(options().media(MediaOptions.disabled()).observationRegistry(registry).build());
        Observation host = Observation.start("host.batch", registry);

        StepVerifier.create(pipeline.submit(recording).contextWrite(c -> c.put("micrometer.observation", host)))
                .expectNextCount(1).expectComplete().verify(LIMIT);
        host.stop();

        TestObservationRegistryAssert.assertThat(registry).forAllObservationsWithNameEqualTo("reelay.recording",
                o -> o.hasParentObservationEqualTo(host));
    }

    /** Spans a test tracer ended. */
    static final class Ended implements SpanProcessor {
        final Queue<ReadableSpan> spans = new ConcurrentLinkedQueue<>();

        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            spans.add(span);
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }

    @Test
    void theWebhookCarriesTheTraceparentOfItsAttemptSoTheReceiversTraceJoinsTheRecordings() {
        Ended ended = new Ended();
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(ended).build();
        io.opentelemetry.api.trace.Tracer otel = provider.get("reelay-test");
        ContextPropagators w3c = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> { });
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, new OtelPropagator(w3c, otel)),
                new DefaultTracingObservationHandler(tracer)));
        receiver.script(Scripted.status(503));
        Recording recording = Recordings.base(233).video(Recordings.file(dir, "video.mkv", 1000)).build();

        try {
            PipelineResult result = submitWith(options().media(MediaOptions.disabled()).observationRegistry(registry).build(),
                    recording);

            assertThat(result.status()).isEqualTo(PipelineResult.Status.COMPLETED);
            List<TestReceiver.Request> requests = receiver.requests();
            assertThat(requests).hasSize(2);
            ReadableSpan root = ended.spans.stream().filter(s -> s.getName().equals("recording")).findFirst().orElseThrow();
            String traceId = root.getSpanContext().getTraceId();
            assertThat(ended.spans).extracting(ReadableSpan::getName)
                    .containsExactlyInAnyOrder("recording", "upload video", "upload metadata", "webhook POST", "webhook POST");
            assertThat(ended.spans).allSatisfy(s -> assertThat(s.getSpanContext().getTraceId()).isEqualTo(traceId));
            List<String> attemptSpans = ended.spans.stream().filter(s -> s.getName().equals("webhook POST"))
                    .map(s -> s.getSpanContext().getSpanId()).collect(Collectors.toList());
            for (TestReceiver.Request request : requests) {
                String traceparent = request.headers().get("traceparent");
                assertThat(traceparent).as("W3C traceparent").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
                String[] parts = traceparent.split("-");
                assertThat(parts[1]).isEqualTo(traceId);
                assertThat(attemptSpans).contains(parts[2]);
            }
            assertThat(requests.get(0).headers().get("traceparent")).isNotEqualTo(requests.get(1).headers().get("traceparent"));
            assertThat(ended.spans.stream().filter(s -> s.getName().equals("webhook POST"))
                    .map(s -> s.getParentSpanContext().getSpanId())).containsOnly(root.getSpanContext().getSpanId());
        } finally {
            provider.close();
        }
    }

    @Test
    void aHandlerThatFailsCostsTheTraceNeverTheRecording() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                throw new IllegalStateException("a broken handler");
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        Recording recording = Recordings.base(235).video(Recordings.file(dir, "video.mkv", 100)).build();

        PipelineResult result = submitWith(options().media(MediaOptions.disabled()).observationRegistry(registry).build(),
                recording);

        assertThat(result.status()).isEqualTo(PipelineResult.Status.COMPLETED);
        assertThat(receiver.deliveries()).containsOnlyKeys(235L);
    }

    @Test
    void withoutARegistryNoTraceHeaderIsSent() {
        Recording recording = Recordings.base(234).video(Recordings.file(dir, "video.mkv", 100)).build();

        submitWith(options().media(MediaOptions.disabled()).build(), recording);

        assertThat(receiver.requests()).singleElement().satisfies(r -> assertThat(r.headers().get("traceparent")).isNull());
    }
}
