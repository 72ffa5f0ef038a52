package dev.reelay.internal.storage;

import java.time.Duration;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Tells a stalled request from a slow one. One per store: the store's requests share one uplink.
 *
 * <p>While a request sends its body, it stalls when no byte of it was taken for the idle
 * timeout. While it waits, for a connection or for its answer once its body is out, its own
 * bytes cannot be seen (the operating system holds what it has not sent yet, up to a few MiB a
 * connection): it stalls only when nothing at all moved on the store's connections for the idle
 * timeout, neither a byte of any body nor any answer. A slow uplink is never a stall, however
 * large the file; a dead one is found within the idle timeout.
 */
final class LinkWatch {

    private static final int WAITING = 0;
    private static final int SENDING = 1;
    private static final int SENT = 2;

    private final long idleNanos;
    private final Duration idle;
    private final Duration period;
    private final Scheduler timer;
    private final LongSupplier clock;
    private volatile long lastMoved;

    /** A watch on the system's monotonic clock, checking on {@code timer}. */
    LinkWatch(Duration idle, Scheduler timer) {
        this(idle, timer, System::nanoTime);
    }

    /** A watch on {@code clock} (nanoseconds), checking on {@code timer}: a virtual one in tests. */
    LinkWatch(Duration idle, Scheduler timer, LongSupplier clock) {
        this.idle = idle;
        this.idleNanos = idle.toNanos();
        this.timer = timer;
        this.clock = clock;
        // checked often enough to notice a stall within a few percent of the idle timeout
        long p = Math.max(10, Math.min(1_000, idle.toMillis() / 20));
        this.period = Duration.ofMillis(p);
        this.lastMoved = now();
    }

    private long now() {
        return clock.getAsLong();
    }

    /** Something moved on the link: a byte of a body was taken, or an answer came. */
    void moved() {
        lastMoved = now();
    }

    /** A new request's watch. */
    Request request() {
        return new Request();
    }

    /** One attempt of one request. */
    final class Request {
        private volatile int phase = WAITING;
        private volatile long lastTaken;
        private volatile long firstTaken;

        /** The SDK subscribed to the body: it has a connection and sends. */
        void bodyStarted() {
            long t = now();
            firstTaken = t;
            lastTaken = t;
            phase = SENDING;
            lastMoved = t;
        }

        void taken() {
            long t = now();
            lastTaken = t;
            lastMoved = t;
        }

        /** The whole body was handed over; what is left is the answer. */
        void bodySent() {
            phase = SENT;
        }

        /** When the first byte of the body was taken, in the timer's nanoseconds; 0 before. */
        long firstTaken() {
            return firstTaken;
        }

        long now() {
            return LinkWatch.this.now();
        }

        /** Why the request counts as stalled now, or null. */
        String stalled() {
            long t = now();
            if (phase == SENDING) {
                return t - lastTaken >= idleNanos ? "no byte of the request was sent for " + seconds(idle) : null;
            }
            if (t - lastMoved < idleNanos) {
                return null;
            }
            return "nothing moved on the connections to the store for " + seconds(idle)
                    + (phase == SENT ? " while it waited for the answer" : " while it waited for a connection");
        }

        /** The call, failed with a {@link StallException} once it stalls; the answer counts as movement. */
        <T> Mono<T> watch(Mono<T> call) {
            Mono<T> stall = Flux.interval(period, period, timer)
                    .onBackpressureDrop()
                    .map(tick -> {
                        String why = stalled();
                        return why == null ? "" : why;
                    })
                    .filter(why -> !why.isEmpty())
                    .next()
                    .flatMap(why -> Mono.error(new StallException(why)));
            return Mono.firstWithSignal(call.doOnEach(s -> {
                if (!s.isOnSubscribe()) {
                    moved();
                }
            }), stall);
        }
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
