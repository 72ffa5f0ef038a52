package dev.reelay.outbox;

import com.zaxxer.hikari.HikariDataSource;
import dev.reelay.PipelineOptions;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.support.PostgresServer;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.webhook.WebhookEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * One host instance of the shared-journal crash test, in a child JVM, run as a host would:
 * resume what the journal has unfinished and submit its recordings, and meanwhile, until its
 * standard input closes, resume and retry what is due every half lease (taking over what a dead
 * instance left).
 * Prints "started", "midway ID NAME" when a multipart file is a third up, "done ID STATUS" per
 * result, "submitted" once its own recordings were, and "ALL DONE" at the end.
 *
 * <p>Arguments: JDBC URL, schema, instance name, S3 endpoint, webhook URL, recordings directory,
 * ids (comma-separated), lease in milliseconds.
 */
public final class SharedWorker {

    static final long PART = S3StorageOptions.MIN_PART_SIZE;

    private SharedWorker() {
    }

    public static void main(String[] args) {
        String jdbcUrl = args[0];
        String schema = args[1];
        String name = args[2];
        URI s3Endpoint = URI.create(args[3]);
        String webhookUrl = args[4];
        Path recordings = Path.of(args[5]);
        List<Long> ids = Arrays.stream(args[6].split(",")).map(Long::valueOf).toList();
        Duration lease = Duration.ofMillis(Long.parseLong(args[7]));

        Sinks.One<Boolean> stop = Sinks.one();
        Thread stdin = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // the test closes standard input to stop the instance
                }
            } catch (IOException e) {
                // closed either way
            }
            stop.tryEmitValue(true);
        }, "shared-worker-stdin");
        stdin.setDaemon(true);
        stdin.start();

        Set<String> midway = ConcurrentHashMap.newKeySet();
        HikariDataSource dataSource = PostgresServer.dataSource(jdbcUrl, 4);
        Outbox outbox = PostgresOutbox.builder(dataSource).schema(schema).instanceName(name).lease(lease).build();
        RecordingPipeline pipeline = RecordingPipeline.create(PipelineOptions.builder()
                .s3(S3StorageOptions.builder().endpoint(s3Endpoint).region(S3TestServer.REGION).bucket(S3TestServer.BUCKET)
                        .credentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY)
                        .multipartThreshold(PART).partSize(PART)
                        .retry(Retry.backoff(5, Duration.ofMillis(50)))
                        .build())
                .webhook(WebhookEndpoint.builder(webhookUrl).retry(Retry.backoff(5, Duration.ofMillis(50))).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().outbox(outbox).retrySchedule(List.of(Duration.ofSeconds(1))).build())
                .uploadProgress((id, file, sent, total) -> {
                    if (total > PART && sent * 3 > total && midway.add(id + "/" + file)) {
                        System.out.println("midway " + id + " " + file);
                    }
                })
                .build());
        System.out.println("started " + outbox);
        Flux<dev.reelay.PipelineResult> submitted = pipeline.resume()
                .concatWith(pipeline.process(Flux.fromIterable(ids).map(id -> recording(recordings, id))))
                .doOnComplete(() -> System.out.println("submitted"));
        // as a host would: now and then, take over what another instance left (and retry what is due)
        Flux<dev.reelay.PipelineResult> takingOver = Flux.interval(lease.dividedBy(2), Schedulers.single())
                .onBackpressureDrop()
                .concatMap(t -> pipeline.resume().concatWith(pipeline.retryDue()), 1);
        Flux.merge(submitted, takingOver)
                .doOnNext(r -> System.out.println("done " + r.recordingId() + " " + r.status()))
                .takeUntilOther(stop.asMono())
                .blockLast(Duration.ofMinutes(5));
        System.out.println("ALL DONE");
        pipeline.close();
        outbox.close();
        dataSource.close();
        System.exit(0);
    }

    static Recording recording(Path dir, long id) {
        Path d = dir.resolve(Long.toString(id));
        return Recordings.base(id).video(d.resolve("video.mkv")).transcript(d.resolve("transcript.txt")).build();
    }
}
