package dev.reelay.outbox;

import dev.reelay.PipelineOptions;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.webhook.WebhookEndpoint;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

/**
 * The child JVM of the crash test: resumes what the outbox has unfinished, then processes the
 * recordings it never accepted; prints a line per result and "ALL DONE" at the end. The test
 * kills it with SIGKILL at random points and starts it again.
 */
public final class CrashWorker {

    private CrashWorker() {
    }

    public static void main(String[] args) {
        Path outboxDir = Path.of(args[0]);
        URI s3Endpoint = URI.create(args[1]);
        String webhookUrl = args[2];
        Path recordingsDir = Path.of(args[3]);
        int count = Integer.parseInt(args[4]);

        PipelineOptions options = PipelineOptions.builder()
                .s3(S3StorageOptions.builder().endpoint(s3Endpoint).region(S3TestServer.REGION).bucket(S3TestServer.BUCKET)
                        .credentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY)
                        .retry(Retry.backoff(5, Duration.ofMillis(50)))
                        .build())
                .webhook(WebhookEndpoint.builder(webhookUrl).retry(Retry.backoff(5, Duration.ofMillis(50))).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(outboxDir).build())
                .build();
        RecordingPipeline pipeline = RecordingPipeline.create(options);
        Flux<Recording> fresh = Flux.range(1, count)
                .concatMap(i -> pipeline.outbox().entry(i).hasElement().filter(known -> !known).map(x -> recording(recordingsDir, i)));
        System.out.println("started");
        pipeline.resume()
                .concatWith(pipeline.process(fresh))
                .doOnNext(r -> System.out.println("done " + r.recordingId() + " " + r.status()))
                .blockLast(Duration.ofMinutes(2));
        System.out.println("ALL DONE");
        pipeline.close();
        System.exit(0);
    }

    static Recording recording(Path dir, long id) {
        Path d = dir.resolve(Long.toString(id));
        return Recordings.base(id).video(d.resolve("video.mkv")).transcript(d.resolve("transcript.txt")).build();
    }
}
