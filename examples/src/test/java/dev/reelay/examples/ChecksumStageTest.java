package dev.reelay.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ChecksumStageTest {

    @TempDir
    Path dir;

    @Test
    void attachesTheSha256OfEachStoredFileOnly() throws Exception {
        Path video = Files.write(dir.resolve("video.mkv"), new byte[200_000]);
        Path transcript = Files.writeString(dir.resolve("transcript.txt"), "hello");
        RecordingJob job = RecordingJob.of(recording(video, transcript)).withUploads(List.of(
                stored(FileRole.VIDEO, "video.mkv"),
                new FileOutcome(FileRole.TRANSCRIPT, "transcript.txt", "1/transcript.txt", null, 5, 3, "refused")));
        String videoSha256 = sha256(video);

        StepVerifier.create(Flux.just(job).transform(new ChecksumStage()))
                .assertNext(checked -> assertThat(checked.attribute(ChecksumStage.ATTRIBUTE, Map.class))
                        .contains(Map.of("video.mkv", videoSha256)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        // the hash is computed where it is emitted: on a thread that may block, not the caller's
        StepVerifier.create(ChecksumStage.sha256(video).map(hex -> Thread.currentThread().getName()))
                .assertNext(thread -> assertThat(thread).as("files are read off the calling thread")
                        .startsWith("boundedElastic"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void rejectedJobPassesThroughUntouched() throws IOException {
        Path video = Files.write(dir.resolve("video.mkv"), new byte[10]);
        RecordingJob rejected = RecordingJob.of(recording(video)).reject("recording 1: title is missing");

        StepVerifier.create(Flux.just(rejected).transform(new ChecksumStage()))
                .expectNext(rejected)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void unreadableFileBecomesAWarningNotAnError() throws IOException {
        Path video = Files.write(dir.resolve("video.mkv"), new byte[10]);
        RecordingJob job = RecordingJob.of(recording(video)).withUploads(List.of(stored(FileRole.VIDEO, "video.mkv")));
        Files.delete(video);

        StepVerifier.create(Flux.just(job).transform(new ChecksumStage()))
                .assertNext(checked -> {
                    assertThat(checked.attributes()).doesNotContainKey(ChecksumStage.ATTRIBUTE);
                    assertThat(checked.warnings()).singleElement().asString()
                            .startsWith("recording 1: no checksums: cannot read");
                })
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    private static Recording recording(Path video, Path... transcript) {
        Recording.Builder b = Recording.builder(1).title("t").user("u", "u@example.com").video(video);
        for (Path t : transcript) {
            b.transcript(t);
        }
        return b.build();
    }

    private static FileOutcome stored(FileRole role, String name) {
        return new FileOutcome(role, name, "1/" + name, "http://127.0.0.1/b/1/" + name, 1, 1, null);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
