package dev.reelay.bench;

import dev.reelay.RecordingPipeline;
import dev.reelay.micrometer.ReelayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;

/**
 * Everything that watches a pipeline, on, for {@code -Dbench.observe=true}: a subscriber of
 * {@code events()} (a host's own), {@link ReelayMetrics} on a registry, and traces through
 * Micrometer Tracing's OpenTelemetry bridge with W3C propagation (spans made, sampled and ended;
 * no exporter, so the cost measured is Reelay's and the tracer's, not a collector's).
 */
final class Observed {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder().build();
    private final ObservationRegistry observations = ObservationRegistry.create();
    private final AtomicLong events = new AtomicLong();

    Observed() {
        io.opentelemetry.api.trace.Tracer otel = tracerProvider.get("reelay-bench");
        OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> { });
        ContextPropagators w3c = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        observations.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, new OtelPropagator(w3c, otel)),
                new DefaultTracingObservationHandler(tracer)));
    }

    ObservationRegistry observations() {
        return observations;
    }

    /** Starts watching {@code pipeline}; closing stops it. */
    AutoCloseable watch(RecordingPipeline pipeline) {
        ReelayMetrics metrics = ReelayMetrics.builder(pipeline).percentileHistogram(true).build();
        metrics.bindTo(meters);
        Disposable subscriber = pipeline.events().subscribe(e -> events.incrementAndGet());
        return () -> {
            subscriber.dispose();
            metrics.close();
        };
    }

    /** Events the host's subscriber took so far, to check that it saw the runs. */
    long events() {
        return events.get();
    }
}
