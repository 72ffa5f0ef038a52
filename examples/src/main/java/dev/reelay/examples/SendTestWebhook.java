package dev.reelay.examples;

import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import dev.reelay.webhook.WebhookClient;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.util.retry.Retry;

/**
 * Checks that a receiver takes Reelay's webhook: sends the original system's test payload
 * (recording 999, "Test Recording") the way the pipeline would, with the same headers,
 * signature and token, and prints the request and the answer.
 *
 * <pre>
 * mvn -q -f examples/pom.xml compile exec:java -Dexec.mainClass=dev.reelay.examples.SendTestWebhook \
 *     -Dexec.args="https://ops.example.com/recordings/webhook/"
 * </pre>
 *
 * Arguments: {@code [--insecure] [URL]}. Without a URL it uses {@code REELAY_WEBHOOK_URL}, and
 * without that an in-process {@link DemoReceiver}. {@code REELAY_WEBHOOK_SECRET} (sign),
 * {@code REELAY_WEBHOOK_TOKEN} (bearer token), {@code REELAY_USER_EMAIL} and
 * {@code REELAY_USER_NAME} (the user the receiver must know) are honoured. Plain {@code http://}
 * to a host other than this machine is refused unless {@code --insecure} is given.
 *
 * <p>A dead endpoint fails within seconds: each attempt has 5 seconds, and there are three.
 * Exit status: 0 when the receiver took the webhook, 1 when it did not, 2 on a usage error.
 */
public final class SendTestWebhook {

    /** The original system's test recording, as in its curl example. */
    static final long TEST_RECORDING_ID = 999;

    public static void main(String[] args) {
        System.exit(new SendTestWebhook().run(args, System.getenv(), System.out));
    }

    /** Sends the test webhook, printing to {@code out}; answers the exit status. */
    public int run(String[] args, Map<String, String> env, PrintStream out) {
        boolean insecure = false;
        List<String> positional = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--insecure")) {
                insecure = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                out.println(usage());
                return 0;
            } else if (arg.startsWith("-")) {
                out.println("error: unknown option " + arg + System.lineSeparator() + usage());
                return 2;
            } else {
                positional.add(arg);
            }
        }
        if (positional.size() > 1) {
            out.println("error: one URL at most, got " + positional.size() + System.lineSeparator() + usage());
            return 2;
        }
        String email = env(env, QuickStartConfig.USER_EMAIL).orElse(QuickStartConfig.DEFAULT_EMAIL);
        String username = env(env, QuickStartConfig.USER_NAME).orElse(QuickStartConfig.DEFAULT_USER_NAME);
        Optional<String> secret = env(env, QuickStartConfig.WEBHOOK_SECRET);
        Optional<String> token = env(env, QuickStartConfig.WEBHOOK_TOKEN);
        Optional<String> url = positional.stream().findFirst().or(() -> env(env, QuickStartConfig.WEBHOOK_URL));

        DemoReceiver receiver = null;
        try {
            if (url.isEmpty()) {
                receiver = DemoReceiver.start(Set.of(email), secret.orElse(null), token.orElse(null));
                out.println("No URL given (argument or " + QuickStartConfig.WEBHOOK_URL + "): sending to an "
                        + "in-process DemoReceiver.");
            }
            WebhookEndpoint endpoint;
            try {
                endpoint = endpoint(receiver != null ? receiver.url() : url.get(), insecure, secret, token);
            } catch (IllegalArgumentException e) {
                out.println("error: " + e.getMessage());
                return 2;
            }
            return send(endpoint, sampleMetadata(username, email, Instant.now()), out);
        } finally {
            if (receiver != null) {
                receiver.close();
            }
        }
    }

    private static WebhookEndpoint endpoint(String url, boolean insecure, Optional<String> secret,
                                            Optional<String> token) {
        WebhookEndpoint.Builder builder = WebhookEndpoint.builder(url)
                .attemptTimeout(Duration.ofSeconds(5))
                .deadline(Duration.ofSeconds(20))
                .retry(Retry.backoff(2, Duration.ofMillis(250)).maxBackoff(Duration.ofSeconds(1)));
        if (insecure) {
            builder.allowInsecureHttp();
        }
        try {
            secret.ifPresent(builder::secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(QuickStartConfig.WEBHOOK_SECRET + " is malformed: " + e.getMessage());
        }
        token.ifPresent(builder::bearerToken);
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("plain http")) {
                throw new IllegalArgumentException(e.getMessage().replace("allowInsecureHttp()", "--insecure"));
            }
            throw e;
        }
    }

    private static int send(WebhookEndpoint endpoint, RecordingMetadata metadata, PrintStream out) {
        WebhookOutcome outcome;
        try (WebhookClient client = WebhookClient.create()) {
            // block() is fine in main; the Mono never errors, how it ended is in the outcome.
            outcome = client.send(endpoint, metadata).block();
        }

        Printing.section(out, "Request");
        Printing.sentRequest(out, endpoint, outcome.webhookId(), metadata.toJson());

        Printing.section(out, "Response");
        out.println("  " + (outcome.statusCode() == 0 ? "no answer" : "HTTP " + outcome.statusCode()) + ", "
                + outcome.state() + " after " + outcome.attempts() + " attempt" + (outcome.attempts() == 1 ? "" : "s"));
        if (outcome.reply() != null) {
            out.println(Printing.prettyJson(Printing.replyJson(outcome.reply()), "  "));
        }
        out.println();
        if (outcome.delivered()) {
            out.println("OK: " + endpoint.displayUrl() + " took the webhook ("
                    + outcome.action().map(a -> "action " + a).orElse("no action given") + ")");
            return 0;
        }
        out.println("error: " + explain(outcome, endpoint, metadata));
        return 1;
    }

    /** One line a person can act on. */
    static String explain(WebhookOutcome outcome, WebhookEndpoint endpoint, RecordingMetadata metadata) {
        String where = endpoint.displayUrl();
        String attempts = " (" + outcome.attempts() + " attempt" + (outcome.attempts() == 1 ? "" : "s") + ")";
        String error = outcome.errorMessage().orElse("");
        String said = outcome.reply() != null && outcome.reply().message() != null
                ? ": \"" + outcome.reply().message() + "\"" : "";
        switch (outcome.statusCode()) {
            case 0:
                if (error.contains("connection refused")) {
                    return "connection refused: nothing is listening at " + where + attempts;
                }
                if (error.startsWith("timed out")) {
                    return "timeout: " + where + " did not answer within " + endpoint.attemptTimeout().toSeconds()
                            + " s" + attempts;
                }
                return "no answer from " + where + ": " + error;
            case 400:
                return "400 Bad Request from " + where + said + " (the receiver wants recording_id and user_info.email)";
            case 401:
            case 403:
                return outcome.statusCode() + " from " + where + said + " (check " + QuickStartConfig.WEBHOOK_TOKEN
                        + " and " + QuickStartConfig.WEBHOOK_SECRET + ")";
            case 404:
                return "404 from " + where + said + " (the receiver does not know " + metadata.userInfo().email()
                        + ", or the URL is wrong; set " + QuickStartConfig.USER_EMAIL + " to a user it knows)";
            default:
                return "HTTP " + outcome.statusCode() + " from " + where + said + " " + attempts.strip();
        }
    }

    /** The seed's test payload: recording 999, "Test Recording", two minutes, one video. */
    static RecordingMetadata sampleMetadata(String username, String email, Instant now) {
        long videoBytes = 524_288;
        Map<String, BigDecimal> sizes = new LinkedHashMap<>();
        sizes.put("video.mkv", RecordingMetadata.mebibytes(videoBytes));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("video", "https://s3.us-west-1.idrivee2.com/fyemeet/999/video.mkv");
        return new RecordingMetadata(TEST_RECORDING_ID, "Test Recording", now, 120L, 120L,
                new UserInfo(username, email), RecordingMetadata.mebibytes(videoBytes), sizes, files, now,
                "reelay-test-webhook", "fyemeet", "us-west-1");
    }

    private static Optional<String> env(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    private static String usage() {
        return "usage: SendTestWebhook [--insecure] [URL]" + System.lineSeparator()
                + "  URL         the receiver; default " + QuickStartConfig.WEBHOOK_URL
                + ", else an in-process DemoReceiver" + System.lineSeparator()
                + "  --insecure  accept plain http:// to a host other than this machine" + System.lineSeparator()
                + "  honoured: " + QuickStartConfig.WEBHOOK_SECRET + ", " + QuickStartConfig.WEBHOOK_TOKEN + ", "
                + QuickStartConfig.USER_EMAIL + ", " + QuickStartConfig.USER_NAME;
    }
}
