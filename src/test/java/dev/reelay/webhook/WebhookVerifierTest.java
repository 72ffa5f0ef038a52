package dev.reelay.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult.Status;
import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import dev.reelay.internal.webhook.Signatures;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.webhook.WebhookVerificationException.Reason;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.util.retry.Retry;

/** The receiver's side: timestamps that cannot overflow into the window, the secrets the official libraries take, duplicates. */
class WebhookVerifierTest extends ServersTest {

    static final String SECRET = WebhookSecurityTest.SPEC_SECRET;
    static final String RAW_SECRET = SECRET.substring("whsec_".length());
    static final long NOW = 1_796_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    static final byte[] BODY = new RecordingMetadata(7, "Meeting", Recordings.CREATED_AT, 77L, 77L,
            new UserInfo("souvik", Recordings.EMAIL), BigDecimal.ONE, Map.of("video.mkv", BigDecimal.ONE),
            Map.of("video", "https://s3.example.com/fyemeet/7/video.mkv"), Recordings.CREATED_AT, "reelay", "fyemeet",
            "us-west-1").toJson();

    static Map<String, String> signed(String id, long timestamp, byte[] body) {
        return Map.of("webhook-id", id, "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", Signatures.header(List.of(Signatures.decodeSecret(SECRET)), id, timestamp, body));
    }

    static WebhookVerifier.Builder verifier() {
        return WebhookVerifier.builder().secret(SECRET).clock(CLOCK);
    }

    static Reason reason(Throwable e) {
        return ((WebhookVerificationException) e).reason();
    }

    @Test
    void aTimestampThatWouldOverflowTheWindowIsStale() {
        WebhookVerifier verifier = verifier().build();
        for (long timestamp : new long[] {Long.MIN_VALUE + NOW, Long.MIN_VALUE, Long.MIN_VALUE + NOW + 1, Long.MAX_VALUE,
                NOW - 301, NOW + 301}) {
            assertThatThrownBy(() -> verifier.verify(signed("msg_overflow", timestamp, BODY), BODY))
                    .as("timestamp %d", timestamp)
                    .satisfies(e -> assertThat(reason(e)).isEqualTo(Reason.STALE_TIMESTAMP));
        }
        assertThat(verifier.verify(signed("msg_edge", NOW - 300, BODY), BODY).recordingId()).isEqualTo(7);
        assertThat(verifier.verify(signed("msg_edge", NOW + 300, BODY), BODY).recordingId()).isEqualTo(7);
    }

    @Test
    void secretsAreTakenWithOrWithoutTheirPrefixAsTheOfficialLibrariesTakeThem() throws Exception {
        WebhookVerifier raw = WebhookVerifier.builder().secret(RAW_SECRET).clock(CLOCK).build();
        assertThat(raw.verify(signed("msg_raw", NOW, BODY), BODY).recordingId()).isEqualTo(7);

        // what the official library signs with the raw secret, ours verifies, and the other way round
        String officialSignature = new Webhook(RAW_SECRET).sign("msg_official", NOW, new String(BODY, StandardCharsets.UTF_8));
        assertThat(verifier().build().verify(Map.of("webhook-id", "msg_official", "webhook-timestamp", Long.toString(NOW),
                "webhook-signature", officialSignature), BODY).recordingId()).isEqualTo(7);

        PipelineOptions options = PipelineOptions.builder().s3(s3.sharedClientOptions().build()).media(MediaOptions.disabled())
                .webhook(WebhookEndpoint.builder(receiver.url()).secret(RAW_SECRET).retry(Retry.backoff(1, Duration.ofMillis(5)))
                        .build())
                .build();
        assertThat(submit(options, Recordings.base(501).video(Recordings.file(dir, "video.mkv", 100)).build()).status())
                .isEqualTo(Status.COMPLETED);
        TestReceiver.Request request = receiver.requests().get(0);
        new Webhook(SECRET).verify(request.body(), WebhookSecurityTest.headersOf(request));
        new Webhook(RAW_SECRET).verify(request.body(), WebhookSecurityTest.headersOf(request));
    }

    @Test
    void withoutTheGuardAValidWebhookVerifiesEachTimeItArrives() {
        WebhookVerifier verifier = verifier().build();
        Map<String, String> headers = signed("msg_again", NOW, BODY);

        assertThat(verifier.verify(headers, BODY).recordingId()).isEqualTo(7);
        assertThat(verifier.verify(headers, BODY).recordingId()).isEqualTo(7);
    }

    @Test
    void theGuardDropsADuplicateWithinTheWindowUntilForgotten() {
        WebhookVerifier verifier = verifier().dropDuplicates(100).build();
        Map<String, String> headers = signed("msg_once", NOW, BODY);

        assertThat(verifier.verify(headers, BODY).recordingId()).isEqualTo(7);
        assertThatThrownBy(() -> verifier.verify(headers, BODY))
                .satisfies(e -> assertThat(reason(e)).isEqualTo(Reason.DUPLICATE))
                .hasMessageContaining("a duplicate");
        assertThat(verifier.verify(signed("msg_other", NOW, BODY), BODY)).isNotNull();

        verifier.forget("msg_once");
        assertThat(verifier.verify(headers, BODY).recordingId()).isEqualTo(7);

        // a forged or broken message is never remembered: it cannot block the real one
        Map<String, String> forged = new HashMap<>(signed("msg_forged", NOW, BODY));
        forged.put("webhook-signature", "v1,bm90LWEtc2lnbmF0dXJlLW9mLTMyLWJ5dGVzLCBhdCBhbGwh");
        assertThatThrownBy(() -> verifier.verify(forged, BODY)).satisfies(e -> assertThat(reason(e)).isEqualTo(Reason.BAD_SIGNATURE));
        assertThat(verifier.verify(signed("msg_forged", NOW, BODY), BODY)).isNotNull();
    }

    @Test
    void theGuardForgetsItsOldestIdsWhenFullSoItsMemoryIsBounded() {
        WebhookVerifier verifier = verifier().dropDuplicates(2).build();
        for (String id : List.of("msg_1", "msg_2", "msg_3")) {
            verifier.verify(signed(id, NOW, BODY), BODY);
        }

        assertThat(verifier.verify(signed("msg_1", NOW, BODY), BODY)).as("forgotten, the oldest").isNotNull();
        assertThatThrownBy(() -> verifier.verify(signed("msg_3", NOW, BODY), BODY))
                .satisfies(e -> assertThat(reason(e)).isEqualTo(Reason.DUPLICATE));
        assertThatThrownBy(() -> verifier().dropDuplicates(0)).hasMessageContaining("maxIds must be > 0");
    }

    @Test
    void ofManyThreadsVerifyingTheSameWebhookAtOnceExactlyOnePasses() throws Exception {
        WebhookVerifier verifier = verifier().dropDuplicates(1_000).build();
        Map<String, String> headers = signed("msg_race", NOW, BODY);
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Boolean> verify = () -> {
                    start.await();
                    try {
                        verifier.verify(headers, BODY);
                        return true;
                    } catch (WebhookVerificationException e) {
                        assertThat(e.reason()).isEqualTo(Reason.DUPLICATE);
                        return false;
                    }
                };
                results.add(pool.submit(verify));
            }
            start.countDown();
            int passed = 0;
            for (Future<Boolean> r : results) {
                passed += r.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(passed).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aToleranceBeyondADayIsRefused() {
        assertThatThrownBy(() -> verifier().tolerance(Duration.ofDays(2)).build()).hasMessageContaining("at most a day");
        assertThat(RecordingMetadata.fromJson(BODY).recordingId()).isEqualTo(7);
    }
}
