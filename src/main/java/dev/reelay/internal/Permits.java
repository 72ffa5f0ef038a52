package dev.reelay.internal;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A non-blocking semaphore: work waits for a permit without holding a thread. Shared by all
 * subscriptions of a pipeline, so the bound is global. Waiters are served in order; a
 * cancelled waiter leaves the queue, and a permit is returned exactly once. The limit may be
 * changed while permits are held: a lower one takes effect as permits come back.
 */
public final class Permits {

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int limit;
    /** Permits that may be handed out now; negative after the limit was lowered below what is held. */
    private int available;
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger mostInUse = new AtomicInteger();

    public Permits(int max) {
        this.limit = max;
        this.available = max;
    }

    /** Subscribes to {@code work} once a permit is free, and frees it when the work ends or is cancelled. */
    public <T> Mono<T> withPermit(Supplier<Mono<T>> work) {
        return acquire().flatMap(permit -> Mono.defer(work).doFinally(s -> permit.release()));
    }

    /** The most permits held at once so far. */
    public int mostInUse() {
        return mostInUse.get();
    }

    /** The permits held now. */
    public int inUse() {
        return inUse.get();
    }

    /** The limit now. */
    public synchronized int limit() {
        return limit;
    }

    /** Changes the limit (at least 1); waiters are let in at once when it rises. */
    public void limit(int newLimit) {
        if (newLimit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + newLimit);
        }
        int grants;
        synchronized (this) {
            available += newLimit - limit;
            limit = newLimit;
            grants = Math.max(0, Math.min(available, waiters.size()));
        }
        for (int i = 0; i < grants; i++) {
            takeAndGrant();
        }
    }

    private void takeAndGrant() {
        Waiter next;
        synchronized (this) {
            if (available <= 0) {
                return;
            }
            next = waiters.poll();
            if (next == null) {
                return;
            }
            available--;
        }
        next.grant();
    }

    private Mono<Permit> acquire() {
        return Mono.<Permit>create(sink -> {
            Waiter w = new Waiter(sink);
            boolean now;
            synchronized (this) {
                now = available > 0;
                if (now) {
                    available--;
                } else {
                    waiters.add(w);
                }
            }
            sink.onCancel(w::cancel);
            if (now) {
                w.grant();
            }
        }).doOnDiscard(Permit.class, Permit::release);
    }

    private void giveBack() {
        Waiter next;
        synchronized (this) {
            if (available < 0 || waiters.isEmpty()) {
                available++;
                return;
            }
            next = waiters.poll();
        }
        next.grant();
    }

    private final class Waiter {
        private final MonoSink<Permit> sink;
        private final AtomicBoolean settled = new AtomicBoolean();

        Waiter(MonoSink<Permit> sink) {
            this.sink = sink;
        }

        void grant() {
            if (settled.compareAndSet(false, true)) {
                int n = inUse.incrementAndGet();
                mostInUse.accumulateAndGet(n, Math::max);
                sink.success(new Permit());
            } else {
                giveBack();
            }
        }

        /** Leaves the queue; a grant racing with it sees 'settled' and passes the permit on. */
        void cancel() {
            if (settled.compareAndSet(false, true)) {
                synchronized (Permits.this) {
                    waiters.remove(this);
                }
            }
        }
    }

    private final class Permit {
        private final AtomicBoolean released = new AtomicBoolean();

        void release() {
            if (released.compareAndSet(false, true)) {
                inUse.decrementAndGet();
                giveBack();
            }
        }
    }
}
