package dev.reelay.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reelay.RecordingPipeline;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

/**
 * The example application as it runs, against a real S3 server (S3Proxy) and a real receiver: a recording
 * posted to its REST endpoint reaches the receiver, Actuator shows Reelay's health and meters, and a stop
 * with a recording in flight loses nothing: the next start finishes it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RecordingsApplicationTest {

    static final S3TestServer s3 = S3TestServer.start();
    static final TestReceiver receiver = TestReceiver.start(Recordings.EMAIL);
    static final Path work = temporaryDirectory();
    static final ObjectMapper json = new ObjectMapper();

    @LocalServerPort
    int port;

    @Autowired
    RecordingPipeline pipeline;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        properties(work.resolve("main")).forEach(p -> {
            int eq = p.indexOf('=');
            registry.add(p.substring(0, eq), () -> p.substring(eq + 1));
        });
    }

    /** application.yml's properties pointed at the servers of this test, with a journal and spool of their own. */
    static List<String> properties(Path dir) {
        return new ArrayList<>(List.of(
                "reelay.store.endpoint=" + s3.endpoint(),
                "reelay.store.region=" + S3TestServer.REGION,
                "reelay.store.bucket=" + S3TestServer.BUCKET,
                "reelay.store.access-key-id=" + S3TestServer.ACCESS_KEY,
                "reelay.store.secret-access-key=" + S3TestServer.SECRET_KEY,
                "reelay.webhooks[0].url=" + receiver.url(),
                "reelay.webhooks[0].secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "reelay.media.enabled=false",
                "reelay.outbox.directory=" + dir.resolve("outbox"),
                "recordings.spool-directory=" + dir.resolve("spool"),
                "recordings.disk-directory=" + dir.resolve("inbox")));
    }

    @AfterAll
    static void stop() {
        receiver.close();
        s3.close();
    }

    @Test
    void aRecordingPostedToTheEndpointArrivesAtTheReceiver() throws Exception {
        long id = 501;
        Path files = work.resolve("client");
        Path video = Recordings.file(files, "video.mkv", 300_000);
        Path transcript = Recordings.file(files, "transcript.txt", 2_000);

        ResponseEntity<String> answer = post(port, id, video, transcript);
        assertThat(answer.getStatusCode().value()).isEqualTo(202);
        assertThat(read(answer.getBody()).path("recording_id").asLong()).isEqualTo(id);
        // the answer comes once the journal holds the recording: it is there at once
        assertThat(client(port).get().uri("/recordings/{id}", id).retrieve().toEntity(String.class).getStatusCode().value())
                .isEqualTo(200);

        awaitDelivery(id);
        assertThat(receiver.deliveries().get(id)).as("taken deliveries of %d", id).hasSize(1);
        JsonNode payload = receiver.stored(id).payload();
        assertThat(payload.path("uploaded_files").has("video")).isTrue();
        assertThat(payload.path("uploaded_files").has("transcript")).isTrue();
        // the bytes at the store are the bytes posted
        assertThat(s3.sha256(id + "/video.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(video)));
        assertThat(s3.sha256(id + "/transcript.txt")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(transcript)));
        assertThat(read(client(port).get().uri("/recordings/{id}", id).retrieve().body(String.class)).path("state").asText())
                .isEqualTo("DONE");
        // complete: its uploaded files are deleted from the spool
        Path spooled = work.resolve("main").resolve("spool").resolve(Long.toString(id));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(spooled) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(spooled).doesNotExist();
    }

    @Test
    void aRecordingGivenAsPathsOnDiskArrivesToo() throws Exception {
        long id = 502;
        Path inbox = work.resolve("main").resolve("inbox");
        Recordings.file(inbox.resolve("502"), "video.mkv", 5_000);
        ResponseEntity<String> answer = client(port).post().uri("/recordings/from-disk").contentType(MediaType.APPLICATION_JSON)
                .body("{\"id\":502,\"title\":\"From disk\",\"username\":\"souvik\",\"email\":\"" + Recordings.EMAIL
                        + "\",\"video\":\"502/video.mkv\"}")
                .retrieve().toEntity(String.class);
        assertThat(answer.getStatusCode().value()).isEqualTo(202);
        awaitDelivery(id);
        assertThat(receiver.deliveries().get(id)).hasSize(1);
        // a path outside the inbox is refused before the pipeline sees it
        int refused = client(port).post().uri("/recordings/from-disk").contentType(MediaType.APPLICATION_JSON)
                .body("{\"id\":503,\"title\":\"x\",\"username\":\"u\",\"email\":\"" + Recordings.EMAIL
                        + "\",\"video\":\"../../etc/passwd\"}")
                .exchange((request, response) -> response.getStatusCode().value());
        assertThat(refused).isEqualTo(403);
    }

    @Test
    void healthIsUpWithTheBacklog() {
        JsonNode health = read(client(port).get().uri("/actuator/health").retrieve().body(String.class));
        JsonNode reelay = health.path("components").path("reelay");
        assertThat(reelay.path("status").asText()).isEqualTo("UP");
        assertThat(reelay.path("details").path("backlog").has("pending")).isTrue();
        assertThat(reelay.path("details").path("backlog").has("parked")).isTrue();
        assertThat(reelay.path("details").has("oldestWaiting")).isTrue();
        assertThat(reelay.path("details").has("disabledEndpoints")).isTrue();
        assertThat(health.toString()).doesNotContain(S3TestServer.SECRET_KEY, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }

    @Test
    void metricsListReelaysMeters() throws Exception {
        long id = 505;
        post(port, id, Recordings.file(work.resolve("client"), "metrics.mkv", 1_000), null);
        awaitDelivery(id);
        JsonNode names = read(client(port).get().uri("/actuator/metrics").retrieve().body(String.class)).path("names");
        List<String> reelay = new ArrayList<>();
        names.forEach(n -> {
            if (n.asText().startsWith("reelay.")) {
                reelay.add(n.asText());
            }
        });
        assertThat(reelay).contains("reelay.recordings.active", "reelay.uploads.active", "reelay.journal.backlog",
                "reelay.journal.backlog.age", "reelay.webhook.endpoints.disabled", "reelay.recordings",
                "reelay.upload.bytes", "reelay.webhook.deliveries");
        // observations reach Boot's ObservationRegistry, whose meter handler times them
        assertThat(reelay).contains("reelay.recording", "reelay.upload");
        JsonNode backlog = read(client(port).get().uri("/actuator/metrics/reelay.journal.backlog").retrieve().body(String.class));
        assertThat(backlog.path("availableTags").toString()).contains("state");
    }

    @Test
    void aRecordingInFlightAtShutdownCompletesAfterTheNextStart() throws Exception {
        long id = 504;
        Path dir = work.resolve("restart");
        Path video = Recordings.file(work.resolve("client"), "restart.mkv", 100_000);
        receiver.script(id, TestReceiver.Scripted.stalling());   // its first webhook gets no answer
        int requestsBefore = receiver.requests().size();

        ConfigurableApplicationContext first = start(dir);
        int firstPort = first.getEnvironment().getProperty("local.server.port", Integer.class);
        assertThat(post(firstPort, id, video, null).getStatusCode().value()).isEqualTo(202);
        assertThat(receiver.awaitRequests(requestsBefore + 1, Duration.ofSeconds(30))).as("the stalled webhook went out").isTrue();
        long closing = System.nanoTime();
        first.close();   // the recording is in flight: its webhook unanswered
        Duration closed = Duration.ofNanos(System.nanoTime() - closing);
        assertThat(closed).as("closed within the grace period and the S3 client's quiet period").isLessThan(Duration.ofSeconds(15));
        assertThat(receiver.deliveries().get(id)).as("nothing taken before the stop").isNull();

        try (ConfigurableApplicationContext second = start(dir)) {
            // resume() at start: the webhook goes out again; the stored video is not uploaded again
            awaitDelivery(id);
            assertThat(receiver.deliveries().get(id)).as("taken deliveries of %d", id).hasSize(1);
            List<TestReceiver.Delivery> attempts = receiver.attempts().stream().filter(d -> d.recordingId() == id).toList();
            assertThat(attempts).as("the cut-off attempt and the resumed one").hasSize(2);
            assertThat(attempts).extracting(TestReceiver.Delivery::webhookId).containsOnly(attempts.get(0).webhookId());
            assertThat(s3.sha256(id + "/restart.mkv")).isEqualTo(S3TestServer.sha256(Files.readAllBytes(video)));
        }
    }

    static ConfigurableApplicationContext start(Path dir) {
        List<String> properties = properties(dir);
        properties.add("server.port=0");
        properties.add("reelay.lifecycle.close-grace-period=1s");
        // as command-line arguments: SpringApplicationBuilder.properties(...) would rank below application.yml
        return new SpringApplicationBuilder(RecordingsApplication.class)
                .run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
    }

    static ResponseEntity<String> post(int port, long id, Path video, Path transcript) {
        MultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
        form.add("id", Long.toString(id));
        form.add("title", "Meeting " + id);
        form.add("username", "souvik");
        form.add("email", Recordings.EMAIL);
        form.add("video", new FileSystemResource(video));
        if (transcript != null) {
            form.add("transcript", new FileSystemResource(transcript));
        }
        return client(port).post().uri("/recordings").contentType(MediaType.MULTIPART_FORM_DATA).body(form)
                .retrieve().toEntity(String.class);
    }

    /** Answers read with Jackson 2, Reelay's (Spring 7's converters are Jackson 3's). */
    static JsonNode read(String body) {
        try {
            return json.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    static RestClient client(int port) {
        return RestClient.create("http://127.0.0.1:" + port);
    }

    static void awaitDelivery(long id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (receiver.deliveries().get(id) == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("reelay-boot-example");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
