package dev.reelay.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Stalls, not slowness, in virtual time: a request that moves a byte now and then never times out. */
class LinkWatchTest {

    static final Duration IDLE = Duration.ofSeconds(60);

    @Test
    void aBodyTakenSlowlyButSteadilyNeverStalls() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        LinkWatch link = new LinkWatch(IDLE, time, () -> time.now(TimeUnit.NANOSECONDS));
        LinkWatch.Request request = link.request();

        // one chunk every 50 s, for an hour: slow, never idle for 60 s
        StepVerifier.withVirtualTime(() -> request.watch(Flux.interval(Duration.ofSeconds(50), time)
                                .take(72)
                                .doOnSubscribe(s -> request.bodyStarted())
                                .doOnNext(i -> request.taken())
                                .then(Mono.just("stored"))),
                        () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .thenAwait(Duration.ofHours(1))
                .expectNext("stored")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aBodyThatStopsMovingStallsAfterTheIdleTimeout() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        LinkWatch link = new LinkWatch(IDLE, time, () -> time.now(TimeUnit.NANOSECONDS));
        LinkWatch.Request request = link.request();

        StepVerifier.withVirtualTime(() -> request.watch(Mono.<String>never().doOnSubscribe(s -> {
                            request.bodyStarted();
                            request.taken();
                        })), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(59))
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StallException.class)
                        .hasMessage("no byte of the request was sent for 60 s"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aRequestWaitingForItsAnswerLivesWhileOtherRequestsMoveAndStallsWhenTheLinkIsIdle() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        LinkWatch link = new LinkWatch(IDLE, time, () -> time.now(TimeUnit.NANOSECONDS));
        LinkWatch.Request waiting = link.request();
        LinkWatch.Request other = link.request();

        StepVerifier.withVirtualTime(() -> waiting.watch(Mono.<String>never().doOnSubscribe(s -> {
                            waiting.bodyStarted();
                            waiting.bodySent(); // all of it handed to the network: its own bytes cannot be seen any more
                            other.bodyStarted();
                        })), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(45)))
                .then(other::taken)
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(45)))
                .then(other::taken)
                .expectNoEvent(Duration.ofSeconds(59))
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StallException.class)
                        .hasMessage("nothing moved on the connections to the store for 60 s while it waited for the answer"))
                .verify(Duration.ofSeconds(10));
    }
}
