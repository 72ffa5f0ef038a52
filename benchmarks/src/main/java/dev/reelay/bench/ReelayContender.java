package dev.reelay.bench;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import java.util.List;
import reactor.core.publisher.Flux;

/** Reelay with its defaults: only the store's endpoint, region, bucket, credentials and the webhook URL set. */
final class ReelayContender implements Contender {

    /** The multipart threshold of the diagnostic run: what the benchmarks propose as the default. */
    static final long PROPOSED_MULTIPART_THRESHOLD = 32L * 1024 * 1024;

    private final S3Endpoint s3;
    private final String webhookUrl;
    private final boolean proposedThreshold;

    private ReelayContender(S3Endpoint s3, String webhookUrl, boolean proposedThreshold) {
        this.s3 = s3;
        this.webhookUrl = webhookUrl;
        this.proposedThreshold = proposedThreshold;
    }

    /** Reelay as a host gets it. */
    static ReelayContender defaults(S3Endpoint s3, String webhookUrl) {
        return new ReelayContender(s3, webhookUrl, false);
    }

    /**
     * A diagnostic, not a contender: the defaults but a multipart threshold of 32 MiB, to show
     * in the same run what the proposed change of the default would do.
     */
    static ReelayContender proposedThreshold(S3Endpoint s3, String webhookUrl) {
        return new ReelayContender(s3, webhookUrl, true);
    }

    /** Whether the library's default threshold sends a file of {@code bytes} in parts. */
    static boolean defaultsUseMultipartFor(S3Endpoint s3, long bytes) {
        return bytes >= s3.reelayOptions().multipartThreshold();
    }

    /** The options of every Reelay run: defaults, and no media step (the recordings bring their thumbnails). */
    static PipelineOptions.Builder options(S3Endpoint s3, String webhookUrl) {
        return PipelineOptions.builder()
                .s3(s3.reelayOptions())
                .webhook(webhookUrl)
                .media(MediaOptions.disabled());
    }

    private PipelineOptions pipelineOptions() {
        PipelineOptions.Builder b = options(s3, webhookUrl);
        if (proposedThreshold) {
            b.s3(s3.reelayOptions().toBuilder().multipartThreshold(PROPOSED_MULTIPART_THRESHOLD).build());
        }
        return b.build();
    }

    @Override
    public String name() {
        return proposedThreshold ? "(diagnostic) Reelay, multipart from 32 MiB" : "Reelay";
    }

    @Override
    public String description() {
        PipelineOptions o = pipelineOptions();
        long threshold = o.s3().orElseThrow().multipartThreshold();
        return (proposedThreshold ? "not a contender: Reelay's defaults but `multipartThreshold(32 MiB)`, the proposed default; "
                : "RecordingPipeline.process with the defaults: ")
                + "recordingsInFlight " + o.recordingsInFlight() + ", uploadsInFlight " + o.uploadsInFlight()
                + ", multipart from " + threshold / (1024 * 1024) + " MiB in parts of "
                + o.s3().orElseThrow().partSize() / (1024 * 1024) + " MiB; media disabled";
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
        stopwatch.start();
        try (RecordingPipeline pipeline = RecordingPipeline.create(pipelineOptions())) {
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
