package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Every delivery carries URLs that work: presigned URLs of an earlier run that are about to
 * expire are signed again for a retry, metadata.json is stored again to match, and the
 * webhook-id stays the same, since only the signatures changed.
 */
class FreshUrlsTest extends ServersTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    int get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static List<String> urls(JsonNode payload) {
        List<String> urls = new ArrayList<>();
        payload.get("uploaded_files").forEach(u -> urls.add(u.asText()));
        return urls;
    }

    @Test
    void aRetryAfterThePresignedUrlsExpiredDeliversUrlsThatWork() throws Exception {
        receiver.always(Scripted.status(503));
        PipelineOptions options = PipelineOptions.builder()
                .s3(s3.sharedClientOptions().presignedUrls(Duration.ofSeconds(3)).build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(dir.resolve("outbox")).build())
                .build();
        Recording recording = Recordings.base(91).video(Recordings.file(dir, "video.mkv", 2_000))
                .transcript(Recordings.file(dir, "transcript.txt", 100)).build();

        PipelineResult first = submit(options, recording);
        assertThat(first.status()).isEqualTo(Status.WEBHOOK_FAILED);
        TestReceiver.Request failed = receiver.requests().get(0);
        String expiring = urls(failed.json()).get(0);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> get(expiring) == 403);
        receiver.always(null);

        StepVerifier.create(pipeline.retry(91))
                .assertNext(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED))
                .expectComplete()
                .verify(LIMIT);

        List<TestReceiver.Request> requests = receiver.requests();
        TestReceiver.Request delivered = requests.get(requests.size() - 1);
        assertThat(delivered.answeredWith()).isEqualTo(201);
        List<String> fresh = urls(delivered.json());
        assertThat(fresh).hasSize(3).doesNotContain(expiring);
        for (String url : fresh) {
            assertThat(get(url)).as("GET %s", url.substring(0, url.indexOf('?'))).isEqualTo(200);
        }
        assertThat(delivered.headers().get("webhook-id")).as("only the signatures changed")
                .isEqualTo(failed.headers().get("webhook-id"));
        assertThat(delivered.json().get("upload_timestamp")).isEqualTo(failed.json().get("upload_timestamp"));
        JsonNode stored = JSON.readTree(s3.read("91/metadata.json"));
        assertThat(stored.get("uploaded_files")).as("metadata.json in the store matches").isEqualTo(delivered.json().get("uploaded_files"));
    }
}
