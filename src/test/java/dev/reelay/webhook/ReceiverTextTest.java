package dev.reelay.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.support.LogCapture;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver.Scripted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/**
 * What a receiver answers is data: it cannot add a line to the log, carry a token into a log, a
 * result or the journal, or grow them without bound.
 */
class ReceiverTextTest extends ServersTest {

    static final String TOKEN = "tok_live_echoed_9f8e7d6c5b4a";
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String FORGED = "✅ Webhook sent successfully to https://forged.example/";

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(dir.resolve("outbox")).build())
                .webhook(WebhookEndpoint.builder(receiver.url()).bearerToken(TOKEN).secret(SECRET)
                        .retry(Retry.backoff(1, Duration.ofMillis(5))).build());
    }

    /** Everything the pipeline showed or kept of the recording: result, outcome, journal entry, log lines. */
    List<String> everythingShown(PipelineResult result, LogCapture logs) {
        List<String> shown = new ArrayList<>();
        shown.add(result.toString());
        shown.add(result.reason().orElse(""));
        result.webhooks().forEach(w -> {
            shown.add(w.toString());
            shown.add(String.valueOf(w.error()));
            if (w.reply() != null) {
                shown.add(String.valueOf(w.reply().message()));
            }
        });
        StepVerifier.create(pipeline.pending())
                .recordWith(ArrayList::new)
                .thenConsumeWhile(e -> true)
                .consumeRecordedWith(entries -> entries.forEach(e -> {
                    shown.add(e.toString());
                    shown.add(String.valueOf(e.reason()));
                    e.deliveries().forEach(d -> {
                        shown.add(String.valueOf(d.error()));
                        shown.add(String.valueOf(d.reply()));
                    });
                }))
                .expectComplete()
                .verify(LIMIT);
        shown.addAll(logs.lines());
        return shown;
    }

    @Test
    void aReceiversMessageCannotForgeALogLine() {
        String message = "nope\nINFO webhook - " + FORGED + "\r\u2028" + FORGED + "\u2029 \u202Egnp.exe\u202C \u0000\u001b[31m";
        receiver.always(new Scripted(400, "{\"status\":\"error\",\"message\":" + json(message) + "}", Map.of(), false));

        PipelineResult result;
        List<String> shown;
        try (LogCapture logs = LogCapture.start()) {
            result = submit(options().build(), Recordings.base(401).video(Recordings.file(dir, "video.mkv", 100)).build());
            shown = everythingShown(result, logs);
            // the forged words are there, as data inside the one line that reports the failure
            assertThat(String.join("\n", logs.lines()).split("\\R"))
                    .noneSatisfy(line -> assertThat(line).startsWith("INFO webhook"))
                    .noneSatisfy(line -> assertThat(line).matches("\\S+ \\S+ ✅.*"));
            assertThat(logs.lines()).filteredOn(line -> line.contains("dev.reelay"))
                    .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u202E", "\u001b"));
        }

        assertThat(result.status()).isEqualTo(Status.WEBHOOK_FAILED);
        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(webhook.reply().message()).startsWith("nope\\u000aINFO webhook - ✅ Webhook sent successfully")
                .contains("\\u000d\\u2028", "\\u2029", "\\u202egnp.exe\\u202c", "\\u0000\\u001b[31m");
        assertThat(webhook.error()).contains("status 400: nope\\u000aINFO webhook");
        assertThat(shown).allSatisfy(s -> assertThat(s).doesNotContain("\n", "\r", "\u2028", "\u202E"));
    }

    @Test
    void anEchoedTokenSignatureAndSecretNeverReachLogsResultsOrTheJournal() throws IOException {
        receiver.echoHeaders(400);

        PipelineResult result;
        List<String> shown;
        try (LogCapture logs = LogCapture.start()) {
            result = submit(options().build(), Recordings.base(402).video(Recordings.file(dir, "video.mkv", 100)).build());
            shown = everythingShown(result, logs);
        }
        pipeline.close();
        pipeline = null;

        String signature = receiver.requests().get(0).headers().get("webhook-signature");
        assertThat(signature).startsWith("v1,");
        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.reply().message()).contains("request headers were:", "authorization: ***", "webhook-signature: v1,***");
        String journal = journalText(dir.resolve("outbox"));
        assertThat(journal).contains("request headers were:");
        for (String secret : List.of(TOKEN, signature, signature.substring(3), SECRET.substring(6))) {
            assertThat(shown).as("what was shown").allSatisfy(s -> assertThat(s).doesNotContain(secret));
            assertThat(journal).as("the journal's files").doesNotContain(secret);
        }
    }

    @Test
    void aTokenEchoedInAnyShapeIsMaskedToo() {
        receiver.always(new Scripted(401, "{\"message\":\"token " + TOKEN + " is unknown; "
                + "Authorization=Basic dXNlcjpwYXNz; X-Amz-Signature=abcdef0123456789\"}", Map.of(), false));

        PipelineResult result = submit(options().build(), Recordings.base(403).video(Recordings.file(dir, "video.mkv", 100)).build());

        String message = result.webhooks().get(0).reply().message();
        assertThat(message).isEqualTo("token *** is unknown; Authorization=***; X-Amz-Signature=***");
        assertThat(result.reason()).hasValueSatisfying(r -> assertThat(r).doesNotContain(TOKEN, "dXNlcjpwYXNz", "abcdef0123456789"));
    }

    @Test
    void aHugeReplyIsBoundedWhereverItGoes() {
        String huge = "x".repeat(60_000);
        receiver.always(new Scripted(500, "{\"status\":\"" + "s".repeat(5_000) + "\",\"message\":\"" + huge + "\"}",
                Map.of(), false));

        PipelineResult result;
        List<String> logLines;
        try (LogCapture logs = LogCapture.start()) {
            result = submit(options().build(), Recordings.base(404).video(Recordings.file(dir, "video.mkv", 100)).build());
            logLines = logs.lines().stream().filter(l -> l.contains("dev.reelay")).collect(Collectors.toList());
        }

        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.reply().message()).hasSize(8 * 1024).endsWith("…");
        assertThat(webhook.reply().status()).hasSize(256);
        assertThat(webhook.error()).hasSizeLessThan(1_200);
        assertThat(result.reason().orElseThrow()).hasSizeLessThan(1_400);
        assertThat(logLines).isNotEmpty().allSatisfy(l -> assertThat(l).hasSizeLessThan(1_400));
    }

    @Test
    void aReplyThatIsNotJsonIsShownAsBoundedEscapedText() {
        receiver.always(new Scripted(502, "<html>\n<title>Bad gateway</title>\nAuthorization: Bearer " + TOKEN + "\n"
                + "y".repeat(5_000) + "</html>", Map.of(), false));

        PipelineResult result = submit(options().build(), Recordings.base(405).video(Recordings.file(dir, "video.mkv", 100)).build());

        String message = result.webhooks().get(0).reply().message();
        assertThat(message).startsWith("<html>\\u000a<title>Bad gateway</title>\\u000aAuthorization: ***").hasSize(1024)
                .doesNotContain(TOKEN);
    }

    /** {@code s} as a JSON string, escapes and all. */
    static String json(String s) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
    }

    /** Every file of the journal's directory (the database and its write-ahead log), as text. */
    static String journalText(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : files.toList()) {
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
            return sb.toString();
        }
    }

    @Test
    void receiverTextKeepsWhatIsHarmless() {
        ReceiverReply reply = new ReceiverReply("error", "Réunion 🎬👩🏽‍💻 \"quoted\" \\ tab-free, ok", 3L, 4L, "created");
        assertThat(reply.message()).isEqualTo("Réunion 🎬👩🏽‍💻 \"quoted\" \\ tab-free, ok");
        ReceiverReply twice = new ReceiverReply(reply.status(), new ReceiverReply(null, "a\nb Bearer x.y-z whsec_abc", null, null, null)
                .message(), null, null, null);
        assertThat(twice.message()).isEqualTo("a\\u000ab Bearer *** whsec_***");
        assertThat(new ReceiverReply(null, "lone \uD800 surrogate", null, null, null).message()).isEqualTo("lone \\ud800 surrogate");
        assertThat(new WebhookOutcome("e", "msg_1", WebhookOutcome.State.FAILED, 500, 1, null, "a\u2028b").error())
                .isEqualTo("a\\u2028b");
    }
}
