package dev.reelay.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
