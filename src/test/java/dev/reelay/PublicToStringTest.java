package dev.reelay;

import dev.reelay.event.EndpointDisabled;
import dev.reelay.event.EndpointEnabled;
import dev.reelay.event.EventsDropped;
import dev.reelay.event.JournalProblem;
import dev.reelay.event.MetadataStored;
import dev.reelay.event.RecordingAccepted;
import dev.reelay.event.RecordingFinished;
import dev.reelay.event.RecordingInterrupted;
import dev.reelay.event.RecordingResumed;
import dev.reelay.event.UploadFailed;
import dev.reelay.event.UploadProgressed;
import dev.reelay.event.UploadStarted;
import dev.reelay.event.UploadStored;
import dev.reelay.event.WebhookAttempted;
import dev.reelay.event.WebhookFinished;
import dev.reelay.outbox.OutboxStats;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.media.MediaException;
import dev.reelay.media.MediaOptions;
import dev.reelay.media.ThumbnailSpec;
import dev.reelay.outbox.Admission;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.LeaseLostException;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.storage.MultipartProgress;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.storage.ObjectStoreException;
import dev.reelay.storage.ObjectUpload;
import dev.reelay.storage.S3StorageOptions;
import dev.reelay.storage.StoredObject;
import dev.reelay.webhook.NetworkPolicy;
import dev.reelay.webhook.ReceiverReply;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import dev.reelay.webhook.WebhookVerificationException;
import dev.reelay.webhook.WebhookVerifier;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public type of the API that prints its values keeps secrets out of {@code toString()}:
 * presigned URLs, S3 secret keys, bearer tokens, {@code whsec_} secrets and secret URL paths, all
 * in play at once. A public type added later fails this test until an instance of it is here.
 */
class PublicToStringTest {

    static final String SIGNATURE = "9f2c1e0d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10";
    static final String PRESIGNED = "https://s3.example.com/fyemeet/3/video.mkv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAREELAY%2F20251025%2Fus-west-1%2Fs3%2Faws4_request&X-Amz-Signature=" + SIGNATURE;
    static final String S3_SECRET = "s3-secret-key-do-not-print-0123456789";
    static final String TOKEN = "tok_live_tostring_5a4b3c2d1e";
    static final String WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SECRET_PATH = "T0001/B0002/XyZsecretPathPart0123";
    static final String WEBHOOK_URL = "https://hooks.slack.example/services/" + SECRET_PATH;
    static final List<String> SECRETS = List.of(SIGNATURE, S3_SECRET, TOKEN, WHSEC, WHSEC.substring(6), SECRET_PATH,
            "XyZsecretPathPart0123");

    /** An instance of every public type whose toString() prints more than its class name. */
    static Map<Class<?>, Object> instances() throws IOException {
        Path file = Files.createTempFile("reelay-tostring", ".mkv");
        Files.delete(file);
        WebhookEndpoint endpoint = WebhookEndpoint.builder(WEBHOOK_URL).name("slack-ops").secretPath()
                .bearerToken(TOKEN).secret(WHSEC).build();
        WebhookEndpoint unnamed = WebhookEndpoint.builder("https://user:" + TOKEN + "@ops.example.com/hook?token=" + TOKEN)
                .secretPath().build();
        S3StorageOptions s3 = S3StorageOptions.builder().endpoint(java.net.URI.create("https://s3.example.com"))
                .region("us-west-1").bucket("fyemeet").credentials("AKIAREELAY", S3_SECRET).presignedUrls(Duration.ofDays(1))
                .build();
        PipelineOptions options = PipelineOptions.builder().s3(s3).webhook(endpoint).webhook(unnamed)
                .networkPolicy(NetworkPolicy.publicOnly().allowing("10.0.0.0/8"))
                .limits(InputLimits.defaults()).fileAccess(FileAccess.refuseLinks().withBaseDirectory(Path.of("/var/rec")))
                .build();
        Recording recording = Recording.builder(3).title("Meeting").createdAt(Instant.EPOCH).user("souvik", "s@example.com")
                .video(file).build();
        FileOutcome stored = new FileOutcome(FileRole.VIDEO, "video.mkv", "3/video.mkv", PRESIGNED, 100, 1, null);
        FileOutcome failed = new FileOutcome(FileRole.TRANSCRIPT, "t.txt", "3/t.txt", null, 0, 0, "recording 3: t.txt: gone");
        RecordingMetadata metadata = new RecordingMetadata(3, "Meeting", Instant.EPOCH, 1L, 1L,
                new UserInfo("souvik", "s@example.com"), BigDecimal.ONE, Map.of("video.mkv", BigDecimal.ONE),
                Map.of("video", PRESIGNED, "metadata", PRESIGNED), Instant.EPOCH, "reelay", "fyemeet", "us-west-1");
        ReceiverReply reply = new ReceiverReply("error", "echo: Authorization: Bearer " + TOKEN + ", secret " + WHSEC
                + ", url " + PRESIGNED, 3L, 1L, "Bearer " + TOKEN);
        WebhookOutcome outcome = new WebhookOutcome(endpoint.displayName(), "msg_1", WebhookOutcome.State.REJECTED, 401, 1,
                reply, "status 401: Authorization: Bearer " + TOKEN + " " + WHSEC);
        RecordingJob job = RecordingJob.of(recording).withUploads(List.of(stored, failed)).withMetadata(metadata, stored)
                .withWebhooks(List.of(outcome)).withWarning("recording 3: a warning");

        dev.reelay.outbox.Attempt attempt = new dev.reelay.outbox.Attempt(3, dev.reelay.outbox.Attempt.Kind.WEBHOOK,
                "slack-ops", 1, Instant.EPOCH, Duration.ofMillis(5), dev.reelay.outbox.Attempt.Outcome.ANSWERED, 401, 1, 10,
                "msg_1", Map.of("Authorization", "Bearer " + TOKEN, "webhook-signature", "v1," + java.util.Base64.getEncoder()
                        .encodeToString(SIGNATURE.getBytes())), "echo: Bearer " + TOKEN + " " + WHSEC + " " + PRESIGNED,
                "status 401 " + WHSEC);
        Map<Class<?>, Object> all = new LinkedHashMap<>();
        Stream.of(options, s3, endpoint, stored, new StoredObject("3/video.mkv", PRESIGNED, 100, 1), metadata, job.result(),
                outcome, reply, new OutboxEntry(recording, "v1", OutboxEntry.State.PENDING, job.result().reason().orElseThrow(), 1,
                        Instant.EPOCH, Instant.EPOCH, null, "reelay-1-abc", List.of(stored),
                        Map.of("video.mkv", new MultipartProgress("up-1", 5 << 20, 100, 1, List.of(
                                new MultipartProgress.Part(1, "\"e1\"", 5 << 20)))), metadata, stored, List.of(outcome)),
                new MultipartProgress("up-1", 5 << 20, 100, 1, List.of()), new MultipartProgress.Part(1, "\"e1\"", 5 << 20),
                new Lease(3, "reelay-1-abc", 7), new LeaseLostException(new Lease(3, "reelay-1-abc", 7)),
                new Admission(Admission.Kind.HELD, new OutboxEntry(recording, "v1", OutboxEntry.State.IN_PROGRESS, null, 1,
                        Instant.EPOCH, Instant.EPOCH, null, "reelay-2-def", List.of(), Map.of(), null, null, List.of()), null),
                PipelineResult.notAccepted(recording, "recording 3 could not be accepted: the journal refused it (full)"),
                ObjectUpload.ofFile("3/video.mkv", file, 100, "video/x-matroska"), recording, job, recording.user(),
                recording.files().get(0), NetworkPolicy.publicOnly().allowing("10.0.0.0/8"), InputLimits.defaults(),
                FileAccess.refuseLinks(), MediaOptions.defaults(), ThumbnailSpec.defaults(), OutboxOptions.defaults(),
                WebhookVerifier.builder().secret(WHSEC).dropDuplicates(10).build(),
                new ReelayException("recording 3: failed"), new MediaException(file, "not a video"),
                new PipelineClosedException(java.util.Set.of(3L), true),
                new ObjectStoreException("3/video.mkv", 403, "AccessDenied", 1, false, "access denied", null),
                new WebhookVerificationException(WebhookVerificationException.Reason.BAD_SIGNATURE, "no match"),
                new OutboxStats(Map.of(OutboxEntry.State.PARKED, 2L), Instant.EPOCH),
                attempt, new dev.reelay.webhook.WebhookTest("slack-ops", "{}", attempt, outcome),
                dev.reelay.dashboard.DashboardOptions.builder().accessToken(TOKEN).build(),
                dev.reelay.outbox.OutboxQuery.builder().text("souvik").build(),
                new dev.reelay.outbox.OutboxPage(List.of(), "1.2"),
                new dev.reelay.outbox.Activity(Instant.EPOCH, 1, 1, 0, 1, 0),
                new dev.reelay.outbox.EndpointHealth("slack-ops", 2, 1, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
                        "status 401: Authorization: Bearer " + TOKEN, Instant.EPOCH, "410 " + WHSEC))
                .forEach(o -> all.put(o.getClass(), o));
        // the events, as the pipeline makes them from the values above
        PipelineResult result = job.result();
        Stream.of(new RecordingAccepted(Instant.EPOCH, 3, 1), new RecordingResumed(Instant.EPOCH, 3, 2),
                        new RecordingFinished(Instant.EPOCH, 3, result.status(), result.reason().orElse(null), 1, 1,
                                result.webhooks(), true, Duration.ofSeconds(1)),
                        new RecordingInterrupted(Instant.EPOCH, 3, Duration.ofSeconds(1)),
                        new UploadStarted(Instant.EPOCH, 3, FileRole.VIDEO, "video.mkv", 100),
                        new UploadProgressed(Instant.EPOCH, 3, FileRole.VIDEO, "video.mkv", 50, 100),
                        new UploadStored(Instant.EPOCH, 3, FileRole.VIDEO, "video.mkv", 100, 1, Duration.ofSeconds(1)),
                        new UploadFailed(Instant.EPOCH, 3, FileRole.TRANSCRIPT, "t.txt", 0, 0, Duration.ZERO, failed.error()),
                        new MetadataStored(Instant.EPOCH, 3, "metadata.json", 100),
                        new WebhookAttempted(Instant.EPOCH, 3, unnamed.displayName(), 1, 401,
                                WebhookAttempted.Result.ANSWERED, null, Duration.ofMillis(5)),
                        new WebhookFinished(Instant.EPOCH, 3, outcome, Duration.ofMillis(5)),
                        new EndpointDisabled(Instant.EPOCH, endpoint.displayName(), outcome.error()),
                        new EndpointEnabled(Instant.EPOCH, unnamed.displayName()),
                        new JournalProblem(Instant.EPOCH, 3, "its end", "the journal refused it (full)"),
                        new EventsDropped(Instant.EPOCH, 7))
                .forEach(o -> all.put(o.getClass(), o));
        return all;
    }

    @Test
    void noPublicTypesToStringShowsASecret() throws Exception {
        Map<Class<?>, Object> instances = instances();
        for (Object o : instances.values()) {
            String shown = o.toString();
            for (String secret : SECRETS) {
                assertThat(shown).as("%s.toString()", o.getClass().getSimpleName()).doesNotContain(secret);
            }
        }
        // what they show instead
        assertThat(instances.get(StoredObject.class).toString()).contains("https://s3.example.com/fyemeet/3/video.mkv,");
        assertThat(instances.get(WebhookEndpoint.class).toString()).contains("name=slack-ops")
                .contains("url=https://hooks.slack.example/services/…");
        assertThat(instances.get(WebhookOutcome.class).toString()).contains("endpoint=slack-ops").contains("Bearer ***");
    }

    @Test
    void everyPublicTypeThatPrintsItsValuesIsCovered() throws Exception {
        Set<String> printing = new TreeSet<>();
        for (Class<?> type : publicApiTypes()) {
            if (type.isInterface() || type.isEnum() || type.isAnnotation() || Modifier.isAbstract(type.getModifiers())) {
                continue;
            }
            if (type.getMethod("toString").getDeclaringClass() == Object.class) {
                continue; // prints its class name and nothing else (builders)
            }
            printing.add(type.getName());
        }
        Set<String> covered = new TreeSet<>();
        instances().keySet().forEach(c -> covered.add(c.getName()));

        assertThat(covered).containsAll(printing);
        assertThat(printing).contains(PipelineOptions.class.getName(), S3StorageOptions.class.getName(),
                WebhookEndpoint.class.getName(), FileOutcome.class.getName(), StoredObject.class.getName(),
                RecordingMetadata.class.getName(), PipelineResult.class.getName(), WebhookOutcome.class.getName(),
                ReceiverReply.class.getName(), OutboxEntry.class.getName(), ObjectUpload.class.getName(),
                Recording.class.getName(), RecordingJob.class.getName());
    }

    /** The public classes of dev.reelay and its sub-packages, internal ones aside, read from the build's output. */
    static List<Class<?>> publicApiTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(PipelineOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> types = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("dev/reelay"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.startsWith("dev.reelay.internal.") || name.matches(".*\\$\\d.*")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, PublicToStringTest.class.getClassLoader());
                if (isPublic(type)) {
                    types.add(type);
                }
            }
        }
        assertThat(types).hasSizeGreaterThan(30);
        return types;
    }

    private static boolean isPublic(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (!Modifier.isPublic(c.getModifiers())) {
                return false;
            }
        }
        return true;
    }
}
