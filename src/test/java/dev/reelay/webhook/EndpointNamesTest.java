package dev.reelay.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.Recording;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.support.LogCapture;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** Endpoints known by a name, and URLs whose path is the secret, in logs, results and the journal. */
class EndpointNamesTest extends ServersTest {

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(dir.resolve("outbox")).build());
    }

    static WebhookEndpoint.Builder endpoint(String url) {
        return WebhookEndpoint.builder(url).retry(Retry.backoff(1, Duration.ofMillis(5)));
    }

    Recording recording(long id) {
        return Recordings.base(id).video(Recordings.file(dir.resolve(Long.toString(id)), "video.mkv", 100)).build();
    }

    PipelineResult retry(long id) {
        AtomicReference<PipelineResult> result = new AtomicReference<>();
        StepVerifier.create(pipeline.retry(id)).consumeNextWith(result::set).expectComplete().verify(LIMIT);
        return result.get();
    }

    @Test
    void aSecretPathIsNeverShownLoggedOrJournaledWhole() throws Exception {
        // the receiver's path stands in for Slack's /services/T000/B000/XXXX: /recordings/ is kept, the rest is secret
        String secret = "recordings/webhook";
        receiver.always(new Scripted(404, "{\"message\":\"Cannot POST /" + secret + "/ for this user\"}", Map.of(), false));
        WebhookEndpoint slack = endpoint(receiver.url()).name("slack-ops").secretPath().build();

        List<String> shown = new ArrayList<>();
        try (LogCapture logs = LogCapture.start()) {
            PipelineResult result = submit(options().webhook(slack).build(), recording(601));
            assertThat(result.status()).isEqualTo(Status.WEBHOOK_FAILED);
            WebhookOutcome webhook = result.webhooks().get(0);
            assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.PARKED);
            assertThat(webhook.endpoint()).isEqualTo("slack-ops");
            assertThat(webhook.reply().message()).isEqualTo("Cannot POST /recordings/*** for this user");
            shown.addAll(List.of(result.toString(), result.reason().orElseThrow(), webhook.toString(), slack.toString(),
                    options().webhook(slack).build().toString()));
            StepVerifier.create(pipeline.pending()).consumeNextWith(e -> shown.add(e.toString() + e.deliveries()))
                    .expectComplete().verify(LIMIT);
            assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains(
                    "📤 Sending webhook to slack-ops (http://127.0.0.1:" + receiver.port() + "/recordings/…)"));
            shown.addAll(logs.lines());
        }
        pipeline.close();
        pipeline = null;

        assertThat(slack.displayUrl()).isEqualTo("http://127.0.0.1:" + receiver.port() + "/recordings/…");
        assertThat(shown).allSatisfy(s -> assertThat(s).doesNotContain(secret));
        assertThat(ReceiverTextTest.journalText(dir.resolve("outbox"))).contains("slack-ops").doesNotContain(secret);
    }

    @Test
    void aNamedEndpointIsKnownByItsNameAndNotDeliveredTwice() {
        try (TestReceiver broken = TestReceiver.start(Recordings.EMAIL)) {
            broken.always(Scripted.status(503));
            PipelineOptions options = options()
                    .webhook(endpoint(receiver.url()).name("ops").build())
                    .webhook(endpoint(broken.url()).build())
                    .build();

            PipelineResult first = submit(options, recording(602));
            assertThat(first.webhooks()).extracting(WebhookOutcome::endpoint).containsExactly("ops", broken.url());
            assertThat(first.reason()).hasValueSatisfying(r -> assertThat(r).contains("webhook to " + broken.url()));

            broken.always(null);
            PipelineResult second = retry(602);

            assertThat(second.status()).isEqualTo(Status.COMPLETED);
            assertThat(receiver.requests()).as("ops took it the first time; the journal knows it by name").hasSize(1);
            assertThat(broken.requests()).hasSize(3);
        }
    }

    @Test
    void aGoneEndpointIsEnabledAgainByItsNameOrItsUrl() {
        receiver.always(Scripted.status(410));
        WebhookEndpoint hook = endpoint(receiver.url() + "?token=abc").name("ops hook").secretPath().build();
        PipelineResult gone = submit(options().webhook(hook).build(), recording(603));
        assertThat(gone.webhooks().get(0).state()).isEqualTo(WebhookOutcome.State.GONE);
        receiver.always(null);

        assertThat(retry(603).webhooks().get(0).error()).contains("endpoint disabled after it answered 410");
        StepVerifier.create(pipeline.enableEndpoint(receiver.url() + "?token=abc")).expectComplete().verify(LIMIT);
        assertThat(retry(603).status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void endpointsWithSecretPathsOnOneHostNeedNames() {
        String a = receiver.url() + "aaaa-secret";
        String b = receiver.url() + "bbbb-secret";
        assertThatThrownBy(() -> options().webhook(endpoint(a).secretPath().build()).webhook(endpoint(b).secretPath().build())
                .build())
                .hasMessageContaining("have the URL http://127.0.0.1:" + receiver.port() + "/recordings/…")
                .hasMessageContaining("a name(…), of its own")
                .hasMessageNotContaining("aaaa").hasMessageNotContaining("bbbb");
        assertThat(options().webhook(endpoint(a).secretPath().name("a").build())
                .webhook(endpoint(b).secretPath().name("b").build()).build().webhooks()).hasSize(2);
        assertThatThrownBy(() -> options().webhook(endpoint(a).name("x").build()).webhook(endpoint(b).name("x").build()).build())
                .hasMessage("two webhook endpoints are named x; each endpoint needs a name of its own");
    }

    @Test
    void namesAreCheckedAndSecretPathsStayOutOfErrors() {
        assertThatThrownBy(() -> endpoint("https://example.com/").name("ops\nINFO forged").build())
                .hasMessageContaining("must not hold control characters");
        assertThatThrownBy(() -> endpoint("https://example.com/").name("x".repeat(101)).build())
                .hasMessageContaining("at most 100 characters");
        assertThatThrownBy(() -> endpoint("http://hooks.example.com/services/T000/B000/XXXX").secretPath().build())
                .hasMessageContaining("http://hooks.example.com/services/…").hasMessageNotContaining("XXXX");
        assertThatThrownBy(() -> endpoint("https://hooks.example.com/services/T0 0/XXXX").secretPath().build())
                .hasMessageNotContaining("XXXX");
        assertThat(endpoint("https://hooks.example.com/XXXXsecret").secretPath().build().displayUrl())
                .isEqualTo("https://hooks.example.com/…");
        assertThat(endpoint("https://example.com/hook").build().displayName()).isEqualTo("https://example.com/hook");
    }
}
