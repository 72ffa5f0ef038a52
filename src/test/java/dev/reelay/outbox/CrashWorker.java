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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

/**
 * The child JVM of the crash test, as a host would run it after every start: resume what the
 * journal has unfinished, then submit every recording again (the journal knows which are done).
 * Recordings are given with paths relative to the working directory, which the test changes
 * from one start to the next. Prints "started", "midway ID NAME" when a multipart file is a
 * third up, a line per result, and "ALL DONE" at the end.
 */
public final class CrashWorker {

    /** Multipart from 5 MiB, so the test's large videos go in parts. */
    static final long PART = S3StorageOptions.MIN_PART_SIZE;

    private CrashWorker() {
    }

    public static void main(String[] args) {
        Path outboxDir = Path.of(args[0]);
        URI s3Endpoint = URI.create(args[1]);
        String webhookUrl = args[2];
        Path recordingsDir = Path.of(args[3]); // relative to the working directory
        int count = Integer.parseInt(args[4]);

        Set<String> midway = ConcurrentHashMap.newKeySet();
        PipelineOptions options = PipelineOptions.builder()
                .s3(S3StorageOptions.builder().endpoint(s3Endpoint).region(S3TestServer.REGION).bucket(S3TestServer.BUCKET)
                        .credentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY)
                        .multipartThreshold(PART).partSize(PART)
                        .retry(Retry.backoff(5, Duration.ofMillis(50)))
                        .build())
                .webhook(WebhookEndpoint.builder(webhookUrl).retry(Retry.backoff(5, Duration.ofMillis(50))).build())
                .media(MediaOptions.builder().workDirectory(outboxDir.resolveSibling("media-work")).build())
                .outbox(OutboxOptions.builder().directory(outboxDir).build())
                .uploadProgress((id, name, sent, total) -> {
                    if (total > PART && sent * 3 > total && midway.add(id + "/" + name)) {
                        System.out.println("midway " + id + " " + name);
                    }
                })
                .build();
        RecordingPipeline pipeline = RecordingPipeline.create(options);
        System.out.println("started");
        pipeline.resume()
                .concatWith(pipeline.process(Flux.range(1, count).map(i -> recording(recordingsDir, i))))
                .doOnNext(r -> System.out.println("done " + r.recordingId() + " " + r.status()))
                .blockLast(Duration.ofMinutes(3));
        System.out.println("ALL DONE");
        pipeline.close();
        System.exit(0);
    }

    static Recording recording(Path dir, long id) {
        Path d = dir.resolve(Long.toString(id));
        return Recordings.base(id).video(d.resolve("video.mkv")).transcript(d.resolve("transcript.txt")).build();
    }
}
