package dev.reelay.examples;

import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.RecordingPipeline;
import dev.reelay.webhook.WebhookOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reelay end to end in one command, with nothing to set up:
 *
 * <pre>
 * mvn -q install -DskipTests                          # the library, once, from the repository root
 * mvn -q -f examples/pom.xml compile exec:java        # this example
 * </pre>
 *
 * It starts an S3 server and a receiver in this JVM, makes a 3-second recording, and hands it
 * to {@link RecordingPipeline}: the files upload in parallel (with progress bars), the metadata
 * is stored beside them, and the webhook is POSTed. Then it prints what the receiver got, what
 * it answered, and where each file is.
 *
 * <p>Any of the {@code REELAY_*} variables of {@link QuickStartConfig} points it at real
 * services or real files instead; what is unset stays embedded. For example:
 *
 * <pre>
 * REELAY_WEBHOOK_URL=https://ops.example.com/recordings/webhook/ \
 * REELAY_USER_EMAIL=you@example.com \
 *   mvn -q -f examples/pom.xml compile exec:java
 * </pre>
 *
 * Exit status: 0 when the recording is {@code COMPLETED}, 1 when it is not (the reason is
 * printed), 2 when a variable is malformed.
 */
public final class QuickStart {

    private volatile Map<Long, DemoReceiver.StoredRecording> receivedByDemoReceiver = Map.of();

    public static void main(String[] args) {
        System.exit(new QuickStart().run(System.getenv(), System.out));
    }

    /** Runs the example, printing to {@code out}; answers the exit status. */
    public int run(Map<String, String> env, PrintStream out) {
        QuickStartConfig config;
        try {
            config = QuickStartConfig.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            e.getMessage().lines().forEach(problem -> out.println("error: " + problem));
            return 2;
        }
        out.println("Reelay QuickStart");
        List<String> settings = config.describe();
        out.println(settings.isEmpty()
                ? "  settings   none: everything runs in this JVM (REELAY_* variables choose real services)"
                : "  settings   " + String.join(System.lineSeparator() + "             ", settings));
        try (DemoServices services = DemoServices.start(config)) {
            services.describe().forEach(line -> out.println("  " + line));
            try (DemoRecording demo = DemoRecording.create(config, out);
                 ProgressBars bars = new ProgressBars(out);
                 RecordingPipeline pipeline = RecordingPipeline.create(services.pipelineOptions()
                         .uploadProgress(bars)
                         .build())) {
                out.println("  recording  " + config.recordingId() + " \"" + config.recordingTitle() + "\" by "
                        + config.userName() + " <" + config.userEmail() + ">: " + demo.description());
                boolean bringsThumbnail = demo.recording().file(FileRole.THUMBNAIL).isPresent();
                Printing.section(out, "Uploading recording " + demo.recording().id() + " ("
                        + demo.recording().files().size() + " files" + (bringsThumbnail ? "" : ", a thumbnail Reelay cuts")
                        + ", then metadata.json)");

                // block() is fine here, in main; inside a reactive chain it never is.
                PipelineResult result = Objects.requireNonNull(pipeline.submit(demo.recording()).block(),
                        "the pipeline gave no result");
                bars.flush();

                printWebhook(services, result, out);
                Printing.section(out, "Files");
                Printing.fileTable(out, result);
                services.receiver().ifPresent(r -> receivedByDemoReceiver = r.recordings());
                return printStatus(result, out);
            }
        } catch (IOException | RuntimeException e) {
            out.println("error: " + e);
            return 1;
        }
    }

    private static void printWebhook(DemoServices services, PipelineResult result, PrintStream out) {
        if (services.receiver().isPresent()) {
            services.receiver().get().lastRequest().ifPresentOrElse(request -> {
                Printing.section(out, "Webhook request, as the DemoReceiver got it");
                out.println("  POST " + DemoReceiver.PATH);
                Printing.headers(out, request.headers(), "  ");
                out.println();
                out.println(Printing.prettyJson(request.body(), "  "));
            }, () -> {
                Printing.section(out, "Webhook request");
                out.println("  (none arrived)");
            });
        } else {
            result.metadata().ifPresent(metadata -> result.webhooks().forEach(webhook -> {
                Printing.section(out, "Webhook request, as Reelay sent it");
                Printing.sentRequest(out, services.webhook(), webhook.webhookId(), metadata.toJson());
            }));
        }
        for (WebhookOutcome webhook : result.webhooks()) {
            Printing.section(out, "Receiver's answer: " + (webhook.statusCode() == 0 ? "none" : webhook.statusCode())
                    + " (" + webhook.state() + " after " + webhook.attempts() + " attempt"
                    + (webhook.attempts() == 1 ? "" : "s") + ")");
            if (webhook.reply() != null) {
                out.println(Printing.prettyJson(Printing.replyJson(webhook.reply()), "  "));
            }
            webhook.errorMessage().ifPresent(error -> out.println("  " + error));
        }
    }

    private static int printStatus(PipelineResult result, PrintStream out) {
        out.println();
        if (result.status() == PipelineResult.Status.COMPLETED) {
            out.println("Result: COMPLETED: recording " + result.recordingId() + " stored ("
                    + (result.files().size() + 1) + " objects) and announced to "
                    + result.webhooks().size() + " receiver" + (result.webhooks().size() == 1 ? "" : "s"));
            return 0;
        }
        out.println("Result: " + result.status() + ": " + result.reason().orElse("(no reason given)"));
        result.warnings().forEach(w -> out.println("  warning: " + w));
        return 1;
    }

    /** What the DemoReceiver had stored when the run ended, for tests; empty with a real receiver. */
    Map<Long, DemoReceiver.StoredRecording> receivedByDemoReceiver() {
        return receivedByDemoReceiver;
    }
}
