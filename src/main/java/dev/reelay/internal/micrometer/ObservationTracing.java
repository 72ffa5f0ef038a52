package dev.reelay.internal.micrometer;

import dev.reelay.internal.telemetry.Span;
import dev.reelay.internal.telemetry.Tracing;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Traces as Micrometer Observations: a span is an observation, started with its parent; a request
 * to a receiver is a sender's observation whose carrier is the request's headers, so that a
 * propagating tracing handler writes {@code traceparent} into them. Loaded only when a host gives
 * an {@link ObservationRegistry}.
 */
public final class ObservationTracing implements Tracing {

    /**
     * The key under which Micrometer (context-propagation, reactor-core's {@code tap}) keeps the
     * current observation in a Reactor context: {@code ObservationThreadLocalAccessor.KEY}, spelled
     * out so that nothing needs the context-propagation library.
     */
    static final String CURRENT = "micrometer.observation";
    private static final Logger log = LoggerFactory.getLogger("dev.reelay.tracing");
    /** Whether a handler's failure was logged already: once is enough, every recording would repeat it. */
    private static final AtomicBoolean failureLogged = new AtomicBoolean();

    private final ObservationRegistry registry;

    private ObservationTracing(ObservationRegistry registry) {
        this.registry = registry;
    }

    public static Tracing of(Object registry) {
        return new ObservationTracing((ObservationRegistry) registry);
    }

    @Override
    public Span start(String name, String contextualName, Span parent, ContextView context) {
        Observation o = Observation.createNotStarted(name, registry).contextualName(contextualName);
        return started(o, parent, context);
    }

    @Override
    public Span startClient(String name, String contextualName, Span parent, ContextView context,
                            String remoteService, Map<String, String> headers) {
        SenderContext<Map<String, String>> sender = new SenderContext<>(
                (carrier, key, value) -> carrier.put(key, value), Kind.CLIENT);
        sender.setCarrier(headers);
        sender.setRemoteServiceName(remoteService);
        Observation o = Observation.createNotStarted(name, () -> sender, registry).contextualName(contextualName);
        return started(o, parent, context);
    }

    private static Span started(Observation o, Span parent, ContextView context) {
        Observation p = parent instanceof ObservationSpan s ? s.observation
                : context.getOrDefault(CURRENT, null) instanceof Observation host ? host : null;
        if (p != null) {
            o.parentObservation(p);
        }
        try {
            return new ObservationSpan(o.start());
        } catch (RuntimeException | LinkageError e) {
            failed(e);
            return Span.NONE;
        }
    }

    /**
     * Traces are a watcher's: a host's handler that fails (or a tracer missing a class) costs the
     * trace, never the recording. Said once in the log.
     */
    private static void failed(Throwable e) {
        if (failureLogged.compareAndSet(false, true)) {
            log.warn("Tracing failed in a handler of the ObservationRegistry; recordings go on untraced where it fails "
                    + "(said once): {}", e.toString());
        }
    }

    @Override
    public Context current(Context context, Span span) {
        return span instanceof ObservationSpan s ? context.put(CURRENT, s.observation) : context;
    }

    /** A started observation; key values set before its stop reach the handlers at the stop. */
    private static final class ObservationSpan implements Span {
        private final Observation observation;
        private final AtomicBoolean ended = new AtomicBoolean();

        ObservationSpan(Observation started) {
            this.observation = started;
        }

        @Override
        public void tag(String key, String value) {
            observation.lowCardinalityKeyValue(key, value);
        }

        @Override
        public void detail(String key, String value) {
            observation.highCardinalityKeyValue(key, value);
        }

        @Override
        public void error(Throwable error) {
            if (error != null) {
                try {
                    observation.error(error);
                } catch (RuntimeException | LinkageError e) {
                    failed(e);
                }
            }
        }

        @Override
        public void end() {
            if (ended.compareAndSet(false, true)) {
                try {
                    observation.stop();
                } catch (RuntimeException | LinkageError e) {
                    failed(e);
                }
            }
        }
    }
}
