package dev.reelay.internal.pipeline;

import dev.reelay.PipelineClosedException;
import dev.reelay.PipelineResult;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A pipeline's life, for a graceful close. Open: streams take recordings and run them. Closing:
 * no stream takes another recording, and the runs under way have the grace period to finish.
 * Then the runs still going are cut off: cancelled where they are, before their finish write, so
 * that the journal keeps them unfinished for {@code resume()}, their uploads stop without an
 * attempt counted, their multipart uploads stay in the store to be continued, and no webhook goes
 * out for them. A stream that was cut short ends with a {@link PipelineClosedException}.
 */
final class Lifecycle {

    /** How long the cancellations may take to settle once the grace period is over. */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final Sinks.Empty<Void> closing = Sinks.empty();
    private final Sinks.Empty<Void> cut = Sinks.empty();
    private final AtomicBoolean closed = new AtomicBoolean();
    private int running;
    private boolean cutDone;

    /** Whether close has begun. */
    boolean closed() {
        return closed.get();
    }

    /**
     * The results of one stream of work; refused once the pipeline is closing, and ended with a
     * {@link PipelineClosedException} when close cut it short.
     */
    Flux<PipelineResult> stream(Function<Runs, Flux<PipelineResult>> work) {
        return Flux.defer(() -> {
            if (closed()) {
                return Flux.error(new PipelineClosedException(Set.of(), true));
            }
            Runs runs = new Runs();
            return work.apply(runs).concatWith(Mono.defer(runs::end));
        });
    }

    /** One run outside a stream (a retry by hand); errors when close cut it off. */
    Mono<PipelineResult> one(long recordingId, Mono<PipelineResult> run) {
        return stream(runs -> runs.run(recordingId, run).flux()).next();
    }

    /** What one stream took and ran. */
    final class Runs {
        private final Set<Long> cutOff = ConcurrentHashMap.newKeySet();
        private volatile boolean upstreamDone = true;

        /** The upstream, until close begins: no recording is taken after that. */
        <T> Flux<T> taking(Flux<T> upstream) {
            upstreamDone = false;
            return upstream.doOnComplete(() -> upstreamDone = true).takeUntilOther(closing.asMono());
        }

        /** The run of one recording, cut off (ending empty) when the grace period is over. */
        Mono<PipelineResult> run(long recordingId, Mono<PipelineResult> run) {
            return Mono.defer(() -> {
                if (!started()) {
                    cutOff.add(recordingId);
                    return Mono.empty();
                }
                AtomicBoolean ended = new AtomicBoolean();
                return run.takeUntilOther(cut.asMono())
                        .doOnNext(r -> ended.set(true))
                        .doOnSuccess(r -> {
                            if (r == null && !ended.get()) {
                                cutOff.add(recordingId);
                            }
                        })
                        .doFinally(s -> stopped());
            });
        }

        private Mono<PipelineResult> end() {
            boolean notAllTaken = !upstreamDone && closed();
            return cutOff.isEmpty() && !notAllTaken ? Mono.empty()
                    : Mono.error(new PipelineClosedException(cutOff, notAllTaken));
        }
    }

    /** Counts a run in, unless the runs were cut off already. */
    private synchronized boolean started() {
        if (cutDone) {
            return false;
        }
        running++;
        return true;
    }

    private synchronized void stopped() {
        running--;
        notifyAll();
    }

    /**
     * Stops taking recordings, waits up to {@code grace} for the runs under way to end, then cuts
     * off the rest and waits a little for the cancellations to settle. Blocks the calling thread.
     * False when close had begun already.
     */
    boolean close(Duration grace) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        closing.tryEmitEmpty();
        awaitIdle(grace);
        synchronized (this) {
            cutDone = true;
        }
        cut.tryEmitEmpty();
        awaitIdle(SETTLE);
        return true;
    }

    private synchronized void awaitIdle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (running > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
