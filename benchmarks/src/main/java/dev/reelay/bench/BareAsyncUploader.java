package dev.reelay.bench;

import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Contender B, the ceiling: the same files put with a bare {@link S3AsyncClient} (the SDK's
 * Netty client, one PUT per file), as many at once as Reelay allows uploads in flight; no
 * pipeline, no metadata, no webhook.
 */
final class BareAsyncUploader implements Contender {

    private final S3Endpoint s3;
    private final int inFlight;

    BareAsyncUploader(S3Endpoint s3, int inFlight) {
        this.s3 = s3;
        this.inFlight = inFlight;
    }

    @Override
    public String name() {
        return "B: bare async";
    }

    @Override
    public String description() {
        return "S3AsyncClient (Netty) putObject per file, " + inFlight + " in flight; no metadata, no webhook";
    }

    @Override
    public int objectsPerRecording() {
        return 3;
    }

    @Override
    public boolean sendsWebhooks() {
        return false;
    }

    @Override
    public Outcome run(List<Recording> recordings, Stopwatch stopwatch) {
        stopwatch.start();
        S3AsyncClient client = s3.asyncClient();
        try {
            long files = Flux.fromIterable(recordings)
                    .flatMapIterable(r -> r.files().stream().map(f -> Map.entry(r.id() + "/" + f.name(), f)).toList())
                    .flatMap(e -> put(client, e.getKey(), e.getValue()), inFlight)
                    .count()
                    .block();
            stopwatch.stop();
            int perRecording = objectsPerRecording();
            return new Outcome((int) (files / perRecording),
                    files == (long) recordings.size() * perRecording ? null : "only " + files + " files stored");
        } finally {
            client.close();
        }
    }

    private static Mono<Object> put(S3AsyncClient client, String key, RecordingFile file) {
        return Mono.fromFuture(() -> client.putObject(
                b -> b.bucket(S3ServerMain.BUCKET).key(key).contentType(SequentialUploader.contentType(file.name())),
                AsyncRequestBody.fromFile(file.path())));
    }
}
