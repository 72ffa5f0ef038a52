package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.ServersTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

/** Input that is wrong or strange gets a clear reason naming the recording, and the rest goes on. */
class BadInputTest extends ServersTest {

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled());
    }

    @Test
    void oddTitlesArriveAtTheReceiverExactly() {
        List<String> titles = List.of(
                "Réunion d'équipe – Größe ≈ 42",
                "Stand-up 🎬🚀👩🏽‍💻",
                "اجتماع الفريق \u202Bright-to-left\u202C",
                "tab\there, newline\nthere, bell\u0007, nul\u0000, del\u007f",
                "\"quotes\" and \\backslashes\\ and </script>",
                "x".repeat(10_240));
        List<Recording> recordings = new ArrayList<>();
        for (int i = 0; i < titles.size(); i++) {
            recordings.add(Recordings.base(100 + i).title(titles.get(i)).video(Recordings.file(dir, i + ".mkv", 100)).build());
        }

        List<PipelineResult> results = processAll(options().build(), Flux.fromIterable(recordings));

        assertThat(results).allSatisfy(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED));
        for (int i = 0; i < titles.size(); i++) {
            assertThat(receiver.stored(100 + i).payload().get("title").asText()).isEqualTo(titles.get(i));
        }
    }

    @Test
    void duplicateIdsInOneBatchAreRefusedWhileTheFirstIsUnderWay() {
        Path v = Recordings.file(dir, "v.mkv", 200_000);
        List<PipelineResult> results = processAll(options().recordingsInFlight(4).build(),
                Flux.just(Recordings.base(200).video(v).build(), Recordings.base(200).title("again").video(v).build(),
                        Recordings.base(201).video(v).build()));

        assertThat(results).extracting(r -> r.recordingId() + " " + r.status())
                .containsExactlyInAnyOrder("200 COMPLETED", "200 REJECTED", "201 COMPLETED");
        assertThat(results).filteredOn(r -> r.status() == Status.REJECTED).singleElement()
                .satisfies(r -> assertThat(r.reason()).hasValue(
                        "recording 200: recording_id is already being processed (a duplicate in flight); not accepted again"));
        assertThat(receiver.deliveries().get(200L)).as("delivered once").hasSize(1);
    }

    @Test
    void aNamedPipeIsNotAFileToUpload() throws Exception {
        Path fifo = dir.resolve("video.mkv");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is available");

        PipelineResult result = submit(options().build(), Recordings.base(210).video(fifo)
                .transcript(Recordings.file(dir, "transcript.txt", 10)).build());

        assertThat(result.status()).isEqualTo(Status.PARTIAL);
        assertThat(result.files().get(0).error()).isEqualTo("recording 210: video.mkv: is not a regular file: " + fifo);
    }

    @Test
    void anUnreadableFileIsAFailureNamingIt() throws Exception {
        Path secret = Recordings.file(dir, "video.mkv", 10);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(secret), "not running as a user that reads anything (root)");

        PipelineResult result = submit(options().build(), Recordings.base(211).video(secret)
                .transcript(Recordings.file(dir, "transcript.txt", 10)).build());

        assertThat(result.status()).isEqualTo(Status.PARTIAL);
        assertThat(result.files().get(0).error()).isEqualTo(
                "recording 211: video.mkv: file cannot be read (permission denied): " + secret);
    }

    /**
     * A file that changes while it is read was handed in too early: below the multipart threshold
     * and above it alike, it is not stored, no retry is spent on it, and the reason says so in the
     * same words. The front paces the upload so that the file grows while it is read.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"in one PUT", "in parts"})
    void aFileThatChangesWhileItUploadsIsNotStoredAndNotRetried(String how) throws Exception {
        boolean inParts = how.equals("in parts");
        long id = inParts ? 213 : 212;
        Path growing = Recordings.file(dir.resolve(how), "video.mkv", 12L << 20);
        AtomicBoolean started = new AtomicBoolean();
        CompletableFuture<Void> grown = new CompletableFuture<>();
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(2L << 20);
            PipelineResult result = submit(options()
                    .s3(s3.options(front.endpoint()).multipartThreshold(inParts ? 5L << 20 : 32L << 20).partSize(5L << 20)
                            .build())
                    .uploadProgress((rid, name, sent, total) -> {
                        if (name.equals("video.mkv") && started.compareAndSet(false, true)) {
                            CompletableFuture.runAsync(() -> append(growing, 500_000)).whenComplete((v, e) -> grown.complete(null));
                        }
                    }).build(), Recordings.base(id).video(growing).transcript(Recordings.file(dir, "transcript.txt", 100)).build());
            grown.get();

            assertThat(result.status()).isEqualTo(Status.PARTIAL);
            FileOutcome video = result.files().get(0);
            assertThat(video.attempts()).isEqualTo(1);
            assertThat(video.error()).isEqualTo("recording " + id + ": video.mkv: could not store s3://" + S3TestServer.BUCKET
                    + "/" + id + "/video.mkv after 1 attempt: the file changed while it was being uploaded: its size went"
                    + " from 12582912 to 13082912 bytes; it was handed in before it was finished, so it is not stored");
            assertThat(s3.exists(id + "/video.mkv")).isFalse();
            assertThat(s3.unfinishedUploads()).isEmpty();
            assertThat(receiver.stored(id).payload().at("/uploaded_files/video").isMissingNode()).isTrue();
        }
    }

    private static void append(Path file, int bytes) {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            byte[] chunk = new byte[10_000];
            Arrays.fill(chunk, (byte) 7);
            for (int n = 0; n < bytes; n += chunk.length) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aBatchWithEveryKindOfBadInputStillDeliversTheGoodOnes() throws Exception {
        Path good = Recordings.file(dir, "good.mkv", 1000);
        Files.createDirectories(dir.resolve("folder.mkv"));
        List<Recording> batch = List.of(
                Recordings.base(220).video(good).build(),
                Recordings.base(221).video(dir.resolve("missing.mkv")).build(),
                Recordings.base(222).video(dir.resolve("folder.mkv")).build(),
                Recordings.base(223).video(Files.write(dir.resolve("empty.mkv"), new byte[0])).build(),
                Recordings.base(224).user("x", "not-an-email").video(good).build(),
                Recordings.base(225).user(null).video(good).build(),
                Recordings.base(-1).video(good).build(),
                Recordings.base(226).file(RecordingFile.of(FileRole.OTHER, good, "../../etc/passwd")).build(),
                Recordings.base(227).title(null).createdAt(null).video(good).build(),
                Recordings.base(228).video(good).build());

        List<PipelineResult> results = processAll(options().build(), Flux.fromIterable(batch));

        assertThat(results).extracting(r -> r.recordingId() + " " + r.status()).containsExactlyInAnyOrder(
                "220 COMPLETED", "221 UPLOAD_FAILED", "222 UPLOAD_FAILED", "223 UPLOAD_FAILED", "224 REJECTED",
                "225 REJECTED", "-1 REJECTED", "226 REJECTED", "227 REJECTED", "228 COMPLETED");
        assertThat(results).filteredOn(r -> r.status() != Status.COMPLETED)
                .allSatisfy(r -> assertThat(r.reason()).hasValueSatisfying(m -> assertThat(m)
                        .startsWith("recording " + r.recordingId() + ": ")));
        assertThat(receiver.recordings().keySet()).containsExactlyInAnyOrder(220L, 228L);
        assertThat(s3.exists("226/../../etc/passwd")).isFalse();
        assertThat(s3.objectCount()).isEqualTo(4);
    }
}
