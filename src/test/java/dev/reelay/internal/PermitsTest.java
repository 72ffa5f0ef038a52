package dev.reelay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class PermitsTest {

    @Test
    void neverMoreThanTheBoundRunAtOnce() {
        Permits permits = new Permits(3);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();

        StepVerifier.create(Flux.range(0, 200)
                        .flatMap(i -> permits.withPermit(() -> Mono.fromCallable(() -> {
                                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                                    return i;
                                })
                                .delayElement(Duration.ofMillis(1), Schedulers.parallel())
                                .doOnTerminate(running::decrementAndGet)), 64))
                .expectNextCount(200)
                .expectComplete()
                .verify(Duration.ofSeconds(30));

        assertThat(most.get()).isEqualTo(3);
        assertThat(permits.mostInUse()).isEqualTo(3);
    }

    @Test
    void cancelledWaitersAndCancelledWorkGiveTheirPermitsBack() {
        Permits permits = new Permits(1);
        Sinks.One<String> gate = Sinks.one();
        Disposable holder = permits.withPermit(gate::asMono).subscribe();
        Disposable waiter = permits.withPermit(() -> Mono.just("never")).subscribe();

        waiter.dispose();
        holder.dispose();

        StepVerifier.create(permits.withPermit(() -> Mono.just("next")))
                .expectNext("next")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(Flux.range(0, 10).concatMap(i -> permits.withPermit(() -> Mono.just(i))))
                .expectNextCount(10)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void failingWorkGivesItsPermitBack() {
        Permits permits = new Permits(1);
        StepVerifier.create(permits.withPermit(() -> Mono.error(new IllegalStateException("boom"))))
                .expectErrorMessage("boom")
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(permits.withPermit(() -> Mono.just(1)))
                .expectNext(1)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aRaisedLimitLetsWaitersInAtOnceAndALoweredOneTakesEffectAsPermitsComeBack() {
        Permits permits = new Permits(1);
        List<Sinks.One<Integer>> gates = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            gates.add(Sinks.one());
        }
        AtomicInteger started = new AtomicInteger();
        List<Disposable> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Sinks.One<Integer> gate = gates.get(i);
            running.add(permits.withPermit(() -> {
                started.incrementAndGet();
                return gate.asMono();
            }).subscribe());
        }
        assertThat(started).hasValue(1);

        permits.limit(3);
        assertThat(started).hasValue(3);
        assertThat(permits.inUse()).isEqualTo(3);

        permits.limit(1);
        gates.get(0).tryEmitValue(0);
        gates.get(1).tryEmitValue(1);
        assertThat(started).as("two came back, but the limit is 1 and one is still held").hasValue(3);
        gates.get(2).tryEmitValue(2);
        assertThat(started).hasValue(4);
        assertThat(permits.inUse()).isEqualTo(1);
        gates.get(3).tryEmitValue(3);
        assertThat(permits.inUse()).isZero();
        running.forEach(Disposable::dispose);
    }
}
