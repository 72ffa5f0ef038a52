package dev.reelay.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SendTestWebhookTest {

    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("test key of 20 bytes".getBytes(UTF_8));

    @Test
    void receiverTakesTheTestRecordingWith201() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"))) {
            Output out = new Output();

            int status = new SendTestWebhook().run(new String[] {receiver.url()}, Map.of(), out.stream);

            String text = out.text();
            assertThat(status).as(text).isZero();
            assertThat(text)
                    .contains("POST " + receiver.url())
                    .contains("\"title\": \"Test Recording\"")
                    .contains("HTTP 201, DELIVERED after 1 attempt")
                    .contains("\"action\": \"created\"");
            DemoReceiver.ReceivedRequest request = receiver.lastRequest().orElseThrow();
            assertThat(text)
                    .contains("User-Agent: " + request.header("user-agent").orElseThrow())
                    .contains("webhook-id: " + request.header("webhook-id").orElseThrow());
            assertThat(receiver.recordings()).containsOnlyKeys(999L);
        }
    }

    @Test
    void urlFromTheEnvironmentWithSecretAndToken() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("ada@example.org"), SECRET, "t0ken")) {
            Output out = new Output();

            int status = new SendTestWebhook().run(new String[0], Map.of(
                    "REELAY_WEBHOOK_URL", receiver.url(),
                    "REELAY_WEBHOOK_SECRET", SECRET,
                    "REELAY_WEBHOOK_TOKEN", "t0ken",
                    "REELAY_USER_EMAIL", "ada@example.org"), out.stream);

            assertThat(status).as(out.text()).isZero();
            assertThat(out.text()).contains("Authorization: Bearer (set)", "webhook-signature: v1,")
                    .doesNotContain("t0ken", SECRET);
        }
    }

    @Test
    void wrongSecretIsRejectedWith401AndSaysWhatToCheck() {
        String otherSecret = "whsec_" + Base64.getEncoder().encodeToString("another key, 20 byte".getBytes(UTF_8));
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"), SECRET, null)) {
            Output out = new Output();

            int status = new SendTestWebhook().run(new String[] {receiver.url()},
                    Map.of("REELAY_WEBHOOK_SECRET", otherSecret), out.stream);

            assertThat(status).isEqualTo(1);
            assertThat(out.text()).contains("error: 401 from " + receiver.url()).contains("REELAY_WEBHOOK_SECRET");
        }
    }

    @Test
    void unknownUserGets404AndAHintAboutTheEmail() {
        try (DemoReceiver receiver = DemoReceiver.start(Set.of("someone-else@example.com"))) {
            Output out = new Output();

            int status = new SendTestWebhook().run(new String[] {receiver.url()}, Map.of(), out.stream);

            assertThat(status).isEqualTo(1);
            assertThat(out.text())
                    .contains("HTTP 404, PARKED")
                    .contains("No user found with email: demo@example.com")
                    .contains("set REELAY_USER_EMAIL");
        }
    }

    @Test
    void deadPortFailsWithinSecondsSayingNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/recordings/webhook/";
        Output out = new Output();
        long start = System.nanoTime();

        int status = new SendTestWebhook().run(new String[] {url}, Map.of(), out.stream);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(status).isEqualTo(1);
        assertThat(out.text()).contains("error: connection refused: nothing is listening at " + url);
    }

    @Test
    void plainHttpToAnotherHostNeedsInsecure() {
        Output out = new Output();

        int status = new SendTestWebhook().run(new String[] {"http://receiver.example.com/hook"}, Map.of(), out.stream);

        assertThat(status).isEqualTo(2);
        assertThat(out.text()).contains("error:").contains("plain http").contains("--insecure");
    }

    @Test
    void withoutUrlItSendsToAnInProcessReceiver() {
        Output out = new Output();

        int status = new SendTestWebhook().run(new String[0], Map.of(), out.stream);

        assertThat(status).as(out.text()).isZero();
        assertThat(out.text()).contains("in-process DemoReceiver").contains("HTTP 201");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Output out = new Output();

        assertThat(new SendTestWebhook().run(new String[] {"--verbose"}, Map.of(), out.stream)).isEqualTo(2);
        assertThat(out.text()).contains("unknown option --verbose").contains("usage: SendTestWebhook");
    }
}
