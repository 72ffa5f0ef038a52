package dev.reelay.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuickStartTest {

    @Test
    void embeddedRunCompletesAndTheReceiverStoresTheRecording() {
        Output out = new Output();
        QuickStart quickStart = new QuickStart();

        int status = quickStart.run(Map.of(), out.stream);

        String text = out.text();
        assertThat(status).as(text).isZero();
        assertThat(text)
                .containsPattern("video\\.mkv +\\[#{20}\\] 100%")
                .containsPattern("transcript\\.txt +\\[#{20}\\] 100%")
                .containsPattern("metadata\\.json +\\[#{20}\\] 100%")
                .contains("\"recording_id\": 999")
                .contains("webhook-signature: v1,").contains("…(truncated)")
                .contains("Receiver's answer: 201")
                .contains("\"action\": \"created\"")
                .contains("== Files")
                .containsPattern("video\\.mkv +\\d+\\.\\d MiB +1 +http://127\\.0\\.0\\.1:\\d+/reelay-demo/999/video\\.mkv")
                .contains("Result: COMPLETED");
        assertThat(quickStart.receivedByDemoReceiver()).containsKey(999L);
        assertThat(quickStart.receivedByDemoReceiver().get(999L).payload().path("uploaded_files").path("video").asText())
                .endsWith("/reelay-demo/999/video.mkv");
    }

    @Test
    void honoursTheEnvironmentAndNeverPrintsItsSecrets(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("video.mkv"), new byte[300_000]);
        Files.writeString(dir.resolve("transcript.txt"), "hello");
        Files.write(dir.resolve("thumbnail.jpg"), new byte[2_000]);
        String secret = "whsec_" + Base64.getEncoder().encodeToString("a demo key of 24 bytes!!".getBytes(UTF_8));
        String token = "token-that-must-not-show";
        Output out = new Output();
        QuickStart quickStart = new QuickStart();

        int status = quickStart.run(Map.of(
                "REELAY_RECORDING_DIR", dir.toString(),
                "REELAY_RECORDING_ID", "42",
                "REELAY_RECORDING_TITLE", "Weekly sync",
                "REELAY_USER_EMAIL", "ada@example.org",
                "REELAY_USER_NAME", "ada",
                "REELAY_S3_BUCKET", "my-recordings",
                "REELAY_S3_REGION", "eu-west-3",
                "REELAY_WEBHOOK_SECRET", secret,
                "REELAY_WEBHOOK_TOKEN", token), out.stream);

        String text = out.text();
        assertThat(status).as(text).isZero();
        assertThat(text)
                .contains("signed with REELAY_WEBHOOK_SECRET", "with a bearer token")
                .contains("authorization: Bearer (set)")
                .contains("\"title\": \"Weekly sync\"", "\"email\": \"ada@example.org\"", "\"region\": \"eu-west-3\"")
                .containsPattern("thumbnail\\.jpg +[\\d.]+ KiB +1 +http://127\\.0\\.0\\.1:\\d+/my-recordings/42/thumbnail\\.jpg")
                .doesNotContain(secret.substring("whsec_".length()), token);
        assertThat(quickStart.receivedByDemoReceiver()).containsOnlyKeys(42L);
        assertThat(dir.resolve("video.mkv")).exists(); // the host's files are left alone
    }

    @Test
    void usesTheStoreAndReceiverNamedByTheEnvironment(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("video.mkv"), new byte[100_000]);
        try (EmbeddedS3 store = EmbeddedS3.start("team-bucket", "us-west-1", "AKIAOTHERSTORE000001", "other-store-secret");
             DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"))) {
            Output out = new Output();
            QuickStart quickStart = new QuickStart();

            int status = quickStart.run(Map.of(
                    "REELAY_S3_ENDPOINT", store.endpoint().toString(),
                    "REELAY_S3_BUCKET", "team-bucket",
                    "REELAY_S3_REGION", "us-west-1",
                    "REELAY_S3_ACCESS_KEY", "AKIAOTHERSTORE000001",
                    "REELAY_S3_SECRET_KEY", "other-store-secret",
                    "REELAY_WEBHOOK_URL", receiver.url(),
                    "REELAY_RECORDING_DIR", dir.toString()), out.stream);

            String text = out.text();
            assertThat(status).as(text).isZero();
            assertThat(text)
                    .contains("S3 store   " + store.endpoint() + " (bucket team-bucket, region us-west-1)")
                    .contains("REELAY_S3_SECRET_KEY    (set)")
                    .contains("== Webhook request, as Reelay sent it")
                    .contains("webhook-id: " + receiver.lastRequest().orElseThrow().header("webhook-id").orElseThrow())
                    .contains(store.endpoint() + "/team-bucket/999/video.mkv")
                    .doesNotContain("other-store-secret");
            assertThat(receiver.recordings()).containsOnlyKeys(999L);
            assertThat(quickStart.receivedByDemoReceiver()).isEmpty(); // the receiver was not QuickStart's own
        }
    }

    @Test
    void malformedVariableExitsWith2NamingIt() {
        Output out = new Output();

        int status = new QuickStart().run(Map.of("REELAY_RECORDING_ID", "three"), out.stream);

        assertThat(status).isEqualTo(2);
        assertThat(out.text()).startsWith("error: REELAY_RECORDING_ID").doesNotContain("Reelay QuickStart");
    }
}
