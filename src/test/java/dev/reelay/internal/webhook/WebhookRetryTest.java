package dev.reelay.internal.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** The retry policy of deliveries, in virtual time. */
class WebhookRetryTest {

    static Mono<String> failing(AtomicInteger attempts, int failures, RuntimeException e) {
        return Mono.defer(() -> attempts.incrementAndGet() <= failures ? Mono.error(e) : Mono.just("ok"));
    }

    @Test
    void retryAfterIsWaitedOutBeforeTheNextAttempt() {
        AtomicInteger attempts = new AtomicInteger();
        WebhookStatusException throttled = new WebhookStatusException(429, null, Duration.ofSeconds(30), "http://h/");

        StepVerifier.withVirtualTime(() -> failing(attempts, 1, throttled)
                        .retryWhen(WebhookSender.retry(Retry.backoff(3, Duration.ofSeconds(1)).jitter(0))))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(30))
                .then(() -> assertThat(attempts.get()).isEqualTo(1))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext("ok")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(attempts.get()).isEqualTo(2);
    }

    @Test
    void serverErrorsBackOffExponentiallyAndEndWithTheLastFailure() {
        AtomicInteger attempts = new AtomicInteger();
        WebhookStatusException unavailable = new WebhookStatusException(503, null, null, "http://h/");

        StepVerifier.withVirtualTime(() -> failing(attempts, 10, unavailable)
                        .retryWhen(WebhookSender.retry(Retry.backoff(3, Duration.ofSeconds(1)).jitter(0))))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1 + 2 + 4))
                .expectErrorMatches(e -> e == unavailable)
                .verify(Duration.ofSeconds(5));
        assertThat(attempts.get()).isEqualTo(4);
    }

    @Test
    void permanentAnswersAreNotRetried() {
        for (int status : new int[] {301, 302, 400, 401, 403, 404, 410, 422}) {
            AtomicInteger attempts = new AtomicInteger();
            StepVerifier.withVirtualTime(() -> failing(attempts, 10, new WebhookStatusException(status, null, null, "http://h/"))
                            .retryWhen(WebhookSender.retry(Retry.backoff(3, Duration.ofSeconds(1)))))
                    .expectSubscription()
                    .expectError(WebhookStatusException.class)
                    .verify(Duration.ofSeconds(5));
            assertThat(attempts.get()).as("status %d", status).isEqualTo(1);
        }
    }

    @Test
    void aRetryAfterOnAnAnswerThatIsNotRetriedEndsTheDeliveryAtOnce() {
        for (int status : new int[] {301, 404, 410}) {
            AtomicInteger attempts = new AtomicInteger();
            WebhookStatusException answer = new WebhookStatusException(status, null, Duration.ofMinutes(30), "http://h/");
            StepVerifier.withVirtualTime(() -> failing(attempts, 10, answer)
                            .retryWhen(WebhookSender.retry(Retry.backoff(3, Duration.ofSeconds(1)))))
                    .expectSubscription()
                    // no virtual time passes: the half-hour Retry-After is not waited out
                    .expectErrorMatches(e -> e == answer)
                    .verify(Duration.ofSeconds(5));
            assertThat(attempts.get()).as("status %d", status).isEqualTo(1);
        }
    }

    @Test
    void whatMayGoThroughLaterIsRetryable() {
        assertThat(WebhookSender.retryable(new WebhookStatusException(408, null, null, "x"))).isTrue();
        assertThat(WebhookSender.retryable(new WebhookStatusException(429, null, null, "x"))).isTrue();
        assertThat(WebhookSender.retryable(new WebhookStatusException(500, null, null, "x"))).isTrue();
        assertThat(WebhookSender.retryable(new TimeoutException())).isTrue();
        assertThat(WebhookSender.retryable(new IOException("Connection reset by peer"))).isTrue();
        assertThat(WebhookSender.retryable(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void retryAfterReadsSecondsAndDatesAndIgnoresNonsense() {
        assertThat(WebhookSender.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(WebhookSender.retryAfter("999999")).isEqualTo(Duration.ofHours(1));
        assertThat(WebhookSender.retryAfter("soon")).isNull();
        assertThat(WebhookSender.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(WebhookSender.retryAfter(null)).isNull();
    }
}
