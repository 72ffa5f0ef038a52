package dev.reelay.bench;

import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Contender A, the original system's design: one thread; each file of a recording uploaded
 * after the other with the synchronous S3 client, then metadata.json, then a blocking POST of
 * the metadata with the JDK's HttpClient; recording after recording.
 */
final class SequentialUploader implements Contender {

    private final S3Endpoint s3;
    private final URI webhook;

    SequentialUploader(S3Endpoint s3, String webhookUrl) {
        this.s3 = s3;
        this.webhook = URI.create(webhookUrl);
    }

    @Override
    public String name() {
        return "A: sequential";
    }

    @Override
    public String description() {
        return "1 thread, sync S3Client (url-connection), files one by one, then metadata.json, then a blocking JDK HttpClient POST";
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
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        int ok = 0;
        String problem = null;
        try (S3Client client = s3.syncClient()) {
            for (Recording r : recordings) {
                String p = upload(client, http, r);
                if (p == null) {
                    ok++;
                } else if (problem == null) {
                    problem = p;
                }
            }
            stopwatch.stop();
        }
        return new Outcome(ok, problem);
    }

    /** Null when the recording was stored and announced, else what went wrong. */
    private String upload(S3Client client, HttpClient http, Recording r) {
        Map<FileRole, String> urls = new EnumMap<>(FileRole.class);
        for (RecordingFile f : r.files()) {
            String key = r.id() + "/" + f.name();
            client.putObject(b -> b.bucket(S3ServerMain.BUCKET).key(key).contentType(contentType(f.name())),
                    RequestBody.fromFile(f.path()));
            urls.put(f.role(), s3.url(key));
        }
        String metadataKey = r.id() + "/metadata.json";
        RecordingMetadata metadata = Recordings.metadata(r, urls, s3.url(metadataKey), "background_thread",
                Clock.systemUTC());
        byte[] json = metadata.toJson();
        client.putObject(b -> b.bucket(S3ServerMain.BUCKET).key(metadataKey).contentType("application/json"),
                RequestBody.fromBytes(json));
        HttpRequest post = HttpRequest.newBuilder(webhook)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        try {
            HttpResponse<String> response = http.send(post, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            return status == 200 || status == 201 ? null : "recording " + r.id() + ": webhook answered " + status;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".mkv")) {
            return "video/x-matroska";
        }
        if (name.endsWith(".jpg")) {
            return "image/jpeg";
        }
        if (name.endsWith(".txt")) {
            return "text/plain; charset=utf-8";
        }
        return "application/octet-stream";
    }
}
