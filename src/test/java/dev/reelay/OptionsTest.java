package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reelay.storage.KeyLayout;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.webhook.WebhookEndpoint;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Options are checked when built, with messages that name the option. */
class OptionsTest {

    static S3StorageOptions s3() {
        return S3StorageOptions.builder().endpoint(URI.create("https://s3.us-west-1.idrivee2.com"))
                .region("us-west-1").bucket("fyemeet").build();
    }

    @Test
    void storageIsRequiredOnce() {
        assertThatThrownBy(() -> PipelineOptions.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storage is not set");
    }

    @Test
    void boundsMustBePositive() {
        assertThatThrownBy(() -> PipelineOptions.builder().s3(s3()).recordingsInFlight(0).build())
                .hasMessage("recordingsInFlight must be > 0, was 0");
        assertThatThrownBy(() -> PipelineOptions.builder().s3(s3()).uploadsInFlight(-1).build())
                .hasMessage("uploadsInFlight must be > 0, was -1");
        assertThatThrownBy(() -> PipelineOptions.builder().s3(s3()).uploadTimeout(Duration.ZERO).build())
                .hasMessageContaining("uploadTimeout must be a positive duration");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        PipelineOptions o = PipelineOptions.builder().s3(s3()).webhook("https://ops.example.com/recordings/webhook/").build();
        assertThat(o.recordingsInFlight()).isEqualTo(8);
        assertThat(o.uploadsInFlight()).isEqualTo(8);
        assertThat(o.uploadSource()).isEqualTo("reelay");
        assertThat(o.keyLayout().key(3, "video.mkv")).isEqualTo("3/video.mkv");
        WebhookEndpoint w = o.webhooks().get(0);
        assertThat(w.attemptTimeout()).isEqualTo(Duration.ofSeconds(30));
        S3StorageOptions s = o.s3().orElseThrow();
        assertThat(s.multipartThreshold()).isEqualTo(32L * 1024 * 1024);
        assertThat(s.partSize()).isEqualTo(8L * 1024 * 1024);
        assertThat(s.urlStrategy().url("fyemeet", "3/video.mkv"))
                .isEqualTo("https://s3.us-west-1.idrivee2.com/fyemeet/3/video.mkv");
        assertThat(o.toBuilder().build().toString()).isEqualTo(o.toString());
    }

    @Test
    void s3OptionsAreChecked() {
        assertThatThrownBy(() -> S3StorageOptions.builder().region("us-west-1").build())
                .hasMessage("bucket must be set and not blank");
        assertThatThrownBy(() -> S3StorageOptions.builder().bucket("b").build())
                .hasMessage("region must be set and not blank");
        assertThatThrownBy(() -> S3StorageOptions.builder().region("r").bucket("b").partSize(1024).build())
                .hasMessageContaining("partSize must be at least 5 MiB");
        assertThatThrownBy(() -> S3StorageOptions.builder().region("r").bucket("b")
                .endpoint(URI.create("ftp://example.com")).build())
                .hasMessageContaining("endpoint must be an http(s) URL");
        assertThatThrownBy(() -> S3StorageOptions.builder().region("r").bucket("b")
                .endpoint(URI.create("https://key:secret@example.com")).build())
                .hasMessage("endpoint must not carry credentials; use credentials(...)");
        assertThat(S3StorageOptions.builder().region("eu-west-1").bucket("b").build().urlStrategy().url("b", "1/a b.txt"))
                .isEqualTo("https://s3.eu-west-1.amazonaws.com/b/1/a%20b.txt");
    }

    @Test
    void webhookEndpointsAreChecked() {
        assertThatThrownBy(() -> WebhookEndpoint.of("not a url"))
                .hasMessageContaining("webhook url");
        assertThatThrownBy(() -> WebhookEndpoint.of("ftp://example.com/hook"))
                .hasMessageContaining("must be an http(s) URL");
        assertThatThrownBy(() -> WebhookEndpoint.builder("https://example.com/").secret("whsec_not base64!").build())
                .hasMessage("a webhook secret is base64, optionally after 'whsec_'; this one is not base64");
        assertThatThrownBy(() -> WebhookEndpoint.builder("https://example.com/").secret("nope").build())
                .hasMessage("a webhook secret must hold at least 16 bytes, this one holds 3");
        assertThatThrownBy(() -> WebhookEndpoint.builder("https://example.com/").attemptTimeout(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("attemptTimeout must be a positive duration");
    }

    @Test
    void endpointsNeedDistinctUrls() {
        assertThatThrownBy(() -> PipelineOptions.builder().s3(s3())
                .webhook("https://ops.example.com/hook?token=a").webhook("https://ops.example.com/hook?token=b").build())
                .hasMessage("two webhook endpoints have the URL https://ops.example.com/hook (query strings, "
                        + "credentials and secret paths aside); each endpoint needs a URL, or a name(…), of its own");
    }

    @Test
    void plainHttpIsForLoopbackUnlessAllowed() {
        assertThatThrownBy(() -> WebhookEndpoint.of("http://ops.example.com/recordings/webhook/"))
                .hasMessageContaining("plain http to a host that is not loopback");
        assertThat(WebhookEndpoint.of("http://127.0.0.1:8000/hook").displayUrl()).isEqualTo("http://127.0.0.1:8000/hook");
        assertThat(WebhookEndpoint.of("http://localhost:8000/hook")).isNotNull();
        assertThat(WebhookEndpoint.builder("http://ops.example.com/hook").allowInsecureHttp().build().allowsInsecureHttp()).isTrue();
    }

    @Test
    void keyPrefixesCannotBeAbsolute() {
        assertThatThrownBy(() -> KeyLayout.byRecordingId("/root/"))
                .hasMessageContaining("must not start with '/'");
        assertThat(KeyLayout.byRecordingId("recordings/").key(3, "video.mkv")).isEqualTo("recordings/3/video.mkv");
    }
}
