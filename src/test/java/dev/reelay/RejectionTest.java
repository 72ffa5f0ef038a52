package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.PipelineResult.Status;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Invalid recordings are refused with a reason naming the recording and the field; the batch goes on. */
class RejectionTest extends ServersTest {

    @BeforeEach
    void createPipeline() {
        pipeline = RecordingPipeline.create(PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .build());
    }

    static Path video(Path dir) {
        return Recordings.file(dir, "video.mkv", 100);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("id zero", (Function<Path, Recording>) v -> Recordings.base(0).video(v).build(),
                        "recording 0: recording_id must be a positive number, was 0"),
                Arguments.of("negative id", (Function<Path, Recording>) v -> Recordings.base(-5).video(v).build(),
                        "recording -5: recording_id must be a positive number"),
                Arguments.of("no user", (Function<Path, Recording>) v -> Recordings.base(40).user(null).video(v).build(),
                        "recording 40: user_info is missing"),
                Arguments.of("no email", (Function<Path, Recording>) v -> Recordings.base(41).user("souvik", null).video(v).build(),
                        "recording 41: user_info.email is missing"),
                Arguments.of("blank email", (Function<Path, Recording>) v -> Recordings.base(42).user("souvik", " ").video(v).build(),
                        "recording 42: user_info.email is missing"),
                Arguments.of("malformed email", (Function<Path, Recording>) v -> Recordings.base(43).user("souvik", "souvik at fyelabs").video(v).build(),
                        "recording 43: user_info.email is not an email address: 'souvik at fyelabs'"),
                Arguments.of("no title", (Function<Path, Recording>) v -> Recordings.base(44).title(null).video(v).build(),
                        "recording 44: title is missing"),
                Arguments.of("no created_at", (Function<Path, Recording>) v -> Recordings.base(45).createdAt(null).video(v).build(),
                        "recording 45: created_at is missing"),
                Arguments.of("no files", (Function<Path, Recording>) v -> Recordings.base(46).build(),
                        "recording 46: has no files"),
                Arguments.of("duplicate names", (Function<Path, Recording>) v -> Recordings.base(47).video(v)
                                .file(RecordingFile.of(FileRole.OTHER, v)).build(),
                        "recording 47: two files are named 'video.mkv'"),
                Arguments.of("two videos", (Function<Path, Recording>) v -> Recordings.base(48).video(v)
                                .file(RecordingFile.of(FileRole.VIDEO, v, "second.mkv")).build(),
                        "recording 48: has more than one video file"),
                Arguments.of("slash in name", (Function<Path, Recording>) v -> Recordings.base(49)
                                .file(RecordingFile.of(FileRole.VIDEO, v, "../49/video.mkv")).build(),
                        "has a file name with '/' in it: '../49/video.mkv'"),
                Arguments.of("dot dot", (Function<Path, Recording>) v -> Recordings.base(50)
                                .file(RecordingFile.of(FileRole.OTHER, v, "..")).build(),
                        "has the file name '..', which is not allowed"),
                Arguments.of("NUL in name", (Function<Path, Recording>) v -> Recordings.base(51)
                                .file(RecordingFile.of(FileRole.OTHER, v, "a\u0000b")).build(),
                        "has a file name with a control character in it: 'a\\u0000b'"),
                Arguments.of("reserved name", (Function<Path, Recording>) v -> Recordings.base(52)
                                .file(RecordingFile.of(FileRole.OTHER, v, "metadata.json")).build(),
                        "recording 52: file 1 'metadata.json': metadata.json and the metadata role are reserved"),
                Arguments.of("null file", (Function<Path, Recording>) v -> Recordings.base(53).file((RecordingFile) null).build(),
                        "recording 53: file 1 is null"),
                Arguments.of("lone surrogate in title", (Function<Path, Recording>) v -> Recordings.base(55)
                                .title("broken \uD83C title").video(v).build(),
                        "recording 55: title is not valid Unicode: a lone surrogate at index 7"),
                Arguments.of("lone surrogate in file name", (Function<Path, Recording>) v -> Recordings.base(56)
                                .file(RecordingFile.of(FileRole.OTHER, v, "a\uDC00.txt")).build(),
                        "has a file name that is not valid Unicode: a lone surrogate at index 1"),
                Arguments.of("negative duration", (Function<Path, Recording>) v -> Recordings.base(54)
                                .declaredDuration(Duration.ofSeconds(-1)).video(v).build(),
                        "recording 54: declared duration is negative"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidRecordingsAreRejectedWithTheFieldNamed(String what, Function<Path, Recording> make, String reason) {
        StepVerifier.create(pipeline.submit(make.apply(video(dir))))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(Status.REJECTED);
                    assertThat(r.reason()).hasValueSatisfying(m -> assertThat(m)
                            .startsWith("recording " + r.recordingId() + ": ").contains(reason));
                    assertThat(r.files()).isEmpty();
                    assertThat(r.webhooks()).isEmpty();
                })
                .expectComplete()
                .verify(LIMIT);
        assertThat(s3.objectCount()).isZero();
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void oneBadRecordingNeverEndsTheStream() {
        Path v = video(dir);
        List<Recording> batch = List.of(
                Recordings.base(60).video(v).build(),
                Recordings.base(0).video(v).build(),
                Recordings.base(61).user("x", "broken").video(v).build(),
                Recordings.base(62).video(dir.resolve("missing.mkv")).build(),
                Recordings.base(63).video(v).build());

        StepVerifier.create(pipeline.process(Flux.fromIterable(batch)).collectList())
                .assertNext(results -> assertThat(results)
                        .extracting(r -> r.recordingId() + " " + r.status())
                        .containsExactlyInAnyOrder("60 COMPLETED", "0 REJECTED", "61 REJECTED", "62 UPLOAD_FAILED",
                                "63 COMPLETED"))
                .expectComplete()
                .verify(LIMIT);
        assertThat(receiver.recordings().keySet()).containsExactlyInAnyOrder(60L, 63L);
    }

    @Test
    void unreadableInputsAreFailuresThatNameTheFile() throws Exception {
        Path d = dir.resolve("odd");
        java.nio.file.Files.createDirectories(d.resolve("folder.mkv"));
        Path empty = java.nio.file.Files.write(d.resolve("empty.txt"), new byte[0]);
        Recording recording = Recordings.base(70)
                .video(d.resolve("folder.mkv"))
                .transcript(empty)
                .file(FileRole.OTHER, Recordings.file(d, "notes.txt", 10))
                .build();

        StepVerifier.create(pipeline.submit(recording))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(Status.PARTIAL);
                    assertThat(r.files().get(0).error()).isEqualTo("recording 70: folder.mkv: is a directory, not a file: "
                            + d.resolve("folder.mkv"));
                    assertThat(r.files().get(1).error()).isEqualTo("recording 70: empty.txt: file is empty (0 bytes): " + empty);
                    assertThat(r.files().get(2).stored()).isTrue();
                })
                .expectComplete()
                .verify(LIMIT);
    }
}
