package dev.reelay.internal.telemetry;

import java.util.Map;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Traces of a pipeline, in terms that name no tracing library: the core only sees this, and the
 * Micrometer Observation implementation is loaded only when a host gives an {@code ObservationRegistry}.
 */
public interface Tracing {

    /** No traces: every span is {@link Span#NONE}. */
    Tracing NONE = new Tracing() {
        @Override
        public Span start(String name, String contextualName, Span parent, ContextView context) {
            return Span.NONE;
        }

        @Override
        public Span startClient(String name, String contextualName, Span parent, ContextView context,
                                String remoteService, Map<String, String> headers) {
            return Span.NONE;
        }

        @Override
        public Context current(Context context, Span span) {
            return context;
        }
    };

    /**
     * Starts a span under {@code parent}; without one (NONE), under the host's span the Reactor
     * context carries, if any.
     */
    Span start(String name, String contextualName, Span parent, ContextView context);

    /**
     * Starts a span of a request to another service, writing into {@code headers} what propagates
     * the trace to it (W3C {@code traceparent}, with a propagating tracer).
     */
    Span startClient(String name, String contextualName, Span parent, ContextView context, String remoteService,
                     Map<String, String> headers);

    /** The Reactor context with {@code span} as the current one, for code that runs inside it (a host's stage). */
    Context current(Context context, Span span);

    /**
     * The tracing of a host's {@code ObservationRegistry} (held as an Object so that nothing here
     * names Micrometer); {@link #NONE} for null. Loads Micrometer classes only for a registry.
     */
    static Tracing of(Object observationRegistry) {
        return observationRegistry == null ? NONE
                : dev.reelay.internal.micrometer.ObservationTracing.of(observationRegistry);
    }
}
