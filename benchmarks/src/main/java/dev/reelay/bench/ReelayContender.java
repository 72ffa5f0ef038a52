package dev.reelay.bench;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Reelay with its defaults: only the store's endpoint, region, bucket, credentials and the webhook URL set.
 * The outbox is the default embedded journal; the harness points {@code reelay.outbox.dir} at its temporary
 * directory so that it is not the user's {@code ~/.reelay/outbox}.
 */
final class ReelayContender implements Contender {

    private final S3Endpoint s3;
    private final String webhookUrl;

    private ReelayContender(S3Endpoint s3, String webhookUrl) {
        this.s3 = s3;
        this.webhookUrl = webhookUrl;
    }

    /** Reelay as a host gets it. */
    static ReelayContender defaults(S3Endpoint s3, String webhookUrl) {
        return new ReelayContender(s3, webhookUrl);
    }

    /** The options of every Reelay run: defaults, and no media step (the recordings bring their thumbnails). */
    static PipelineOptions.Builder options(S3Endpoint s3, String webhookUrl) {
        return PipelineOptions.builder()
                .s3(s3.reelayOptions())
                .webhook(webhookUrl)
                .media(MediaOptions.disabled());
    }

    @Override
    public String name() {
        return "Reelay (warm)";
    }

    @Override
    public String description() {
        PipelineOptions o = options(s3, webhookUrl).build();
        return "RecordingPipeline.process with the defaults: recordingsInFlight " + o.recordingsInFlight()
                + ", uploadsInFlight " + o.uploadsInFlight()
                + ", multipart from " + o.s3().orElseThrow().multipartThreshold() / (1024 * 1024) + " MiB in parts of "
                + o.s3().orElseThrow().partSize() / (1024 * 1024) + " MiB, "
                + (o.outbox().enabled() ? "outbox journal on (SQLite)" : "no outbox") + "; media disabled";
    }

    @Override
    public int objectsPerRecording() {
        return 4;
    }

    @Override
    public boolean sendsWebhooks() {
        return true;
    }

    @Override
    public Outcome run(List<Recording> recordings, Stopwatch stopwatch) {
        // a journal of its own per run: the same recordings journaled as complete by an earlier run would be
        // answered from the journal without an upload (resubmitting is idempotent), and nothing would be measured
        java.nio.file.Path journal = java.nio.file.Path.of(System.getProperty(Benchmarks.OUTBOX_PROPERTY,
                System.getProperty("java.io.tmpdir"))).resolve("run-" + System.nanoTime());
        stopwatch.start();
        try (RecordingPipeline pipeline = RecordingPipeline.create(options(s3, webhookUrl)
                .outbox(dev.reelay.outbox.OutboxOptions.builder().directory(journal).build()).build())) {
            List<PipelineResult> results = pipeline.process(Flux.fromIterable(recordings)).collectList().block();
            stopwatch.stop();
            int ok = 0;
            String problem = null;
            for (PipelineResult r : results) {
                if (r.status() == PipelineResult.Status.COMPLETED) {
                    ok++;
                } else if (problem == null) {
                    problem = r.toString();
                }
            }
            return new Outcome(ok, problem);
        }
    }
}
