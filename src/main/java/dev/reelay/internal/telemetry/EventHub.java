package dev.reelay.internal.telemetry;

import dev.reelay.event.EventsDropped;
import dev.reelay.event.PipelineEvent;
import java.time.Clock;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The pipeline's hot stream of events. Each subscriber has a queue of its own, bounded: when it
 * falls behind, its oldest events go and it is told how many ({@link EventsDropped}); the emitting
 * thread never waits, takes no lock and runs no subscriber code (each subscriber is served on a
 * worker of its own). With no subscriber, {@link #active()} is one volatile read, and callers on hot
 * paths check it before they build an event.
 */
public final class EventHub {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.events");
    private static final Tap[] NONE = new Tap[0];
    private static final Tap[] DONE = new Tap[0];

    private final Clock clock;
    private final AtomicReference<Tap[]> taps = new AtomicReference<>(NONE);
    private final LongAdder dropped = new LongAdder();

    public EventHub(Clock clock) {
        this.clock = clock;
    }

    /** Whether anyone listens: check it before building an event on a hot path. */
    public boolean active() {
        return taps.get().length != 0;
    }

    /** Hands the event to every subscriber's queue; returns at once. */
    public void emit(PipelineEvent event) {
        for (Tap tap : taps.get()) {
            tap.offer(event);
        }
    }

    /** Events dropped so far, over all subscribers. */
    public long dropped() {
        return dropped.sum();
    }

    /** The stream; each subscriber keeps at most {@code capacity} undelivered events. */
    public Flux<PipelineEvent> events(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the buffer must hold at least 1 event, was " + capacity);
        }
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super PipelineEvent> actual) {
                Tap tap = new Tap(actual, capacity, Schedulers.boundedElastic().createWorker());
                actual.onSubscribe(tap);
                if (!add(tap)) {
                    tap.complete();
                }
            }
        };
    }

    /** Completes every subscriber's stream once it has what was emitted; later subscribers complete at once. */
    public void complete() {
        for (Tap tap : taps.getAndSet(DONE)) {
            tap.complete();
        }
    }

    private boolean add(Tap tap) {
        for (;;) {
            Tap[] now = taps.get();
            if (now == DONE) {
                return false;
            }
            Tap[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = tap;
            if (taps.compareAndSet(now, next)) {
                return true;
            }
        }
    }

    private void remove(Tap tap) {
        for (;;) {
            Tap[] now = taps.get();
            if (now == DONE || now.length == 0) {
                return;
            }
            int i = Arrays.asList(now).indexOf(tap);
            if (i < 0) {
                return;
            }
            Tap[] next = now.length == 1 ? NONE : new Tap[now.length - 1];
            System.arraycopy(now, 0, next, 0, i);
            System.arraycopy(now, i + 1, next, i, now.length - i - 1);
            if (taps.compareAndSet(now, next)) {
                return;
            }
        }
    }

    /** One subscriber: its bounded queue (oldest dropped first), its demand, and the worker that serves it. */
    private final class Tap implements Subscription, Runnable {
        private final CoreSubscriber<? super PipelineEvent> actual;
        private final int capacity;
        private final Scheduler.Worker worker;
        private final Queue<PipelineEvent> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger size = new AtomicInteger();
        private final AtomicLong lost = new AtomicLong();
        private final AtomicLong requested = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean done;
        private volatile boolean cancelled;

        Tap(CoreSubscriber<? super PipelineEvent> actual, int capacity, Scheduler.Worker worker) {
            this.actual = actual;
            this.capacity = capacity;
            this.worker = worker;
        }

        void offer(PipelineEvent event) {
            if (done || cancelled) {
                return;
            }
            queue.offer(event);
            if (size.incrementAndGet() > capacity && queue.poll() != null) {
                size.decrementAndGet();
                lost.incrementAndGet();
                dropped.increment();
            }
            if (requested.get() != 0) {
                schedule();
            }
        }

        void complete() {
            done = true;
            schedule();
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                requested.getAndAccumulate(n, Operators::addCap);
                schedule();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                remove(this);
                schedule();
            }
        }

        private void schedule() {
            if (wip.getAndIncrement() == 0) {
                try {
                    worker.schedule(this);
                } catch (RuntimeException rejected) {
                    // the scheduler is shut down (the JVM is stopping): nobody is left to serve
                    wip.set(0);
                }
            }
        }

        /** Serves the subscriber, on its worker. */
        @Override
        public void run() {
            int missed = 1;
            for (;;) {
                if (cancelled) {
                    end();
                    return;
                }
                long r = requested.get();
                long e = 0;
                while (e != r) {
                    long n = lost.get();
                    PipelineEvent next;
                    if (n != 0 && lost.compareAndSet(n, 0)) {
                        next = new EventsDropped(clock.instant(), n);
                    } else {
                        next = queue.poll();
                        if (next == null) {
                            break;
                        }
                        size.decrementAndGet();
                    }
                    if (!deliver(next)) {
                        return;
                    }
                    e++;
                }
                if (done && queue.isEmpty() && lost.get() == 0) {
                    end();
                    try {
                        actual.onComplete();
                    } catch (Throwable t) {
                        Exceptions.throwIfFatal(t);
                        log.warn("A subscriber of pipeline events failed on its completion", t);
                    }
                    return;
                }
                if (e != 0 && r != Long.MAX_VALUE) {
                    requested.addAndGet(-e);
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private boolean deliver(PipelineEvent event) {
            try {
                actual.onNext(event);
                return true;
            } catch (Throwable t) {
                Exceptions.throwIfFatal(t);
                // a subscriber that throws is done: it is cut off, the others go on
                log.warn("A subscriber of pipeline events failed and was cut off", t);
                cancelled = true;
                end();
                Operators.onErrorDropped(t, actual.currentContext());
                return false;
            }
        }

        private void end() {
            remove(this);
            queue.clear();
            worker.dispose();
        }
    }
}
