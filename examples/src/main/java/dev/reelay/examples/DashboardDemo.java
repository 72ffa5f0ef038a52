package dev.reelay.examples;

import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.dashboard.DashboardOptions;
import dev.reelay.dashboard.DashboardServer;
import dev.reelay.dashboard.ReelayDashboard;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Mono;

/**
 * Reelay's status dashboard over a few recordings with different outcomes, against an S3 server and
 * a receiver in this JVM:
 *
 * <pre>
 * mvn -q install -DskipTests                          # the library, once, from the repository root
 * mvn -q -f examples/pom.xml compile exec:java -Dexec.mainClass=dev.reelay.examples.DashboardDemo
 * </pre>
 *
 * Recording 101 completes; 102 is parked (the receiver does not know its user: 404); 103 fails (the
 * receiver answers 503 to every try) and is then retried and completes; 104 is partial (its transcript
 * is missing). The dashboard then stays open, at the URL it prints, until Ctrl-C: open it, see the
 * attempt log of 102, and press Retry (it stays parked: the demo receiver never learns the user), or
 * send a test webhook. {@code REELAY_DASHBOARD_PORT} chooses the port (8077 by default, 0 for a free
 * one).
 */
public final class DashboardDemo {

    public static void main(String[] args) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "dashboard-demo-stop"));
        int status = new DashboardDemo().run(System.getenv(), System.out, Mono.fromRunnable(() -> {
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.exit(status);
    }

    /**
     * Runs the demo, printing to {@code out}, and keeps the dashboard open until {@code until}
     * completes; answers the exit status.
     */
    public int run(Map<String, String> env, PrintStream out, Mono<Void> until) {
        QuickStartConfig config;
        int port;
        try {
            config = QuickStartConfig.fromEnvironment(env);
            port = Integer.parseInt(env.getOrDefault("REELAY_DASHBOARD_PORT", Integer.toString(DashboardOptions.DEFAULT_PORT)));
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        Path work;
        try {
            work = Files.createTempDirectory("reelay-dashboard-demo");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("Reelay dashboard demo");
        try (DemoServices services = DemoServices.start(config);
             RecordingPipeline pipeline = RecordingPipeline.create(services.pipelineOptions()
                     .media(MediaOptions.disabled())
                     .outbox(OutboxOptions.builder().directory(work.resolve("journal")).build())
                     .build())) {
            services.describe().forEach(line -> out.println("  " + line));
            DemoReceiver receiver = services.receiver().orElse(null);

            show(out, pipeline.submit(recording(work, 101, "Weekly sync", config.userEmail(), true)).block());
            show(out, pipeline.submit(recording(work, 102, "Onboarding call", "newcomer@example.com", true)).block());
            if (receiver != null) {
                receiver.failNext(100);
            }
            show(out, pipeline.submit(recording(work, 103, "Design review", config.userEmail(), true)).block());
            if (receiver != null) {
                receiver.failNext(0);
            }
            show(out, "retried: ", pipeline.retry(103).block());
            show(out, pipeline.submit(recording(work, 104, "Customer interview", config.userEmail(), false)).block());

            try (DashboardServer dashboard = ReelayDashboard.create(pipeline, DashboardOptions.builder().port(port).build())
                    .start()) {
                out.println();
                out.println("Dashboard: " + dashboard.loginUrl());
                out.println("(open it in a browser; Ctrl-C stops the demo)");
                out.flush();
                until.block();
            }
            return 0;
        } finally {
            deleteTree(work);
        }
    }

    private static void show(PrintStream out, PipelineResult r) {
        show(out, "", r);
    }

    private static void show(PrintStream out, String prefix, PipelineResult r) {
        out.println("  " + prefix + "recording " + r.recordingId() + ": " + r.status() + r.reason().map(x -> " (" + x + ")").orElse(""));
    }

    /** A recording of a video of random bytes and, when {@code withTranscript}, a transcript; else a transcript that is missing. */
    private static Recording recording(Path work, long id, String title, String email, boolean withTranscript) {
        Path dir = work.resolve(Long.toString(id));
        try {
            Files.createDirectories(dir);
            byte[] video = new byte[(int) (256 * 1024 + id * 4096)];
            new Random(id).nextBytes(video);
            Files.write(dir.resolve("video.mkv"), video);
            if (withTranscript) {
                Files.writeString(dir.resolve("transcript.txt"), "Transcript of " + title + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Recording.builder(id).title(title).createdAt(Instant.now()).declaredDuration(Duration.ofMinutes(30))
                .user(email.substring(0, email.indexOf('@')), email)
                .video(dir.resolve("video.mkv"))
                .transcript(dir.resolve("transcript.txt"))
                .build();
    }

    private static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: what is left, the system cleans
        }
    }
}
