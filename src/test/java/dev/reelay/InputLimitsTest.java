package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import java.nio.file.Path;
import java.text.Normalizer;
import org.junit.jupiter.api.Test;

/** Limits on what a recording may hold, and file names that must stay distinct however they are spelled. */
class InputLimitsTest extends ServersTest {

    static final String NFC = "caf\u00e9.txt";
    static final String NFD = "cafe\u0301.txt";

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled());
    }

    Path video() {
        return Recordings.file(dir, "video.mkv", 100);
    }

    /** Like submit, with a pipeline of its own: the one before is closed first (they share the journal). */
    PipelineResult run(PipelineOptions options, Recording recording) {
        if (pipeline != null) {
            pipeline.close();
            pipeline = null;
        }
        return submit(options, recording);
    }

    /** A rejected recording leaves nothing in the store and sends nothing. */
    void nothingHappened() {
        assertThat(s3.objectCount()).isZero();
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void aMegabyteTitleIsRejectedNamingTheLimit() {
        PipelineResult result = run(options().build(), Recordings.base(701).title("x".repeat(1_048_576)).video(video()).build());

        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.reason()).hasValue("recording 701: title is 1048576 characters long; at most 16384 are accepted "
                + "(InputLimits.maxTitleLength)");
        nothingHappened();
    }

    @Test
    void titlesAreCountedInCodePointsUpToTheLimit() {
        String emoji = "🎬".repeat(16_384); // 32,768 chars, 16,384 code points
        PipelineResult result = run(options().build(), Recordings.base(702).title(emoji).video(video()).build());

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(receiver.stored(702).payload().get("title").asText()).isEqualTo(emoji);
    }

    @Test
    void userNamesEmailsFilesAndFileNamesHaveLimits() {
        String longEmail = "a".repeat(243) + "@example.com"; // 255
        InputLimits small = InputLimits.builder().maxFiles(2).maxFileNameBytes(10).maxTitleLength(5).build();

        assertThat(run(options().build(), Recordings.base(703).user("u".repeat(1_025), Recordings.EMAIL).video(video()).build())
                .reason()).hasValue("recording 703: user_info.username is 1025 characters long; at most 1024 are accepted "
                + "(InputLimits.maxUsernameLength)");
        assertThat(run(options().build(), Recordings.base(704).user("souvik", longEmail).video(video()).build()).reason())
                .hasValue("recording 704: user_info.email is 255 characters long; at most 254 are accepted "
                        + "(InputLimits.maxEmailLength)");
        assertThat(run(options().limits(small).build(), Recordings.base(705).title("short").video(video())
                .transcript(Recordings.file(dir, "t.txt", 1)).file(FileRole.OTHER, Recordings.file(dir, "n.txt", 1)).build())
                .reason()).hasValue("recording 705: has 3 files; at most 2 are accepted (InputLimits.maxFiles)");
        assertThat(run(options().limits(small).build(), Recordings.base(706).title("short")
                .transcript(Recordings.file(dir, "transcript.txt", 1)).build()).reason())
                .hasValueSatisfying(r -> assertThat(r).endsWith("has a file name longer than 10 bytes (InputLimits.maxFileNameBytes)"));
        nothingHappened();
        assertThatThrownBy(() -> InputLimits.builder().maxFileNameBytes(256).build()).hasMessageContaining("at most 255");
        assertThatThrownBy(() -> InputLimits.builder().maxTitleLength(0).build()).hasMessage("maxTitleLength must be > 0, was 0");
    }

    @Test
    void idsAboveTwoToThe53AreRejectedUnlessTheReceiversReadThemExactly() {
        long aboveSafe = 9_007_199_254_740_993L;
        PipelineResult rejected = run(options().build(), Recordings.base(aboveSafe).video(video()).build());
        assertThat(rejected.status()).isEqualTo(Status.REJECTED);
        assertThat(rejected.reason()).hasValue("recording 9007199254740993: recording_id is above 9007199254740991 (2^53 - 1), "
                + "the largest integer a JavaScript receiver reads exactly (InputLimits.maxRecordingId)");
        nothingHappened();

        assertThat(run(options().build(), Recordings.base(InputLimits.MAX_SAFE_JSON_INTEGER).video(video()).build()).status())
                .isEqualTo(Status.COMPLETED);
        PipelineResult allowed = run(options().limits(InputLimits.builder().maxRecordingId(Long.MAX_VALUE).build()).build(),
                Recordings.base(aboveSafe).video(video()).build());
        assertThat(allowed.status()).isEqualTo(Status.COMPLETED);
        assertThat(receiver.stored(aboveSafe).payload().get("recording_id").asLong()).isEqualTo(aboveSafe);
    }

    @Test
    void namesThatDifferOnlyInCaseAreDuplicates() {
        PipelineResult result = run(options().build(), Recordings.base(707)
                .file(RecordingFile.of(FileRole.VIDEO, video(), "Video.MKV"))
                .file(RecordingFile.of(FileRole.OTHER, Recordings.file(dir, "other.mkv", 10), "video.mkv")).build());

        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.reason()).hasValue("recording 707: two files are named 'Video.MKV' and 'video.mkv', which differ "
                + "only in case or Unicode form: they would look the same to the receiver and on case-insensitive disks");
        nothingHappened();
    }

    @Test
    void namesThatDifferOnlyInUnicodeFormAreDuplicates() {
        PipelineResult result = run(options().build(), Recordings.base(708)
                .file(RecordingFile.of(FileRole.TRANSCRIPT, Recordings.file(dir, "a.txt", 10), NFC))
                .file(RecordingFile.of(FileRole.OTHER, Recordings.file(dir, "b.txt", 10), NFD))
                .file(RecordingFile.of(FileRole.OTHER, Recordings.file(dir, "c.txt", 10), "STRASSE.txt"))
                .build());

        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.reason()).hasValue("recording 708: two files are named '" + NFC + "'");

        PipelineResult eszett = run(options().build(), Recordings.base(709)
                .file(RecordingFile.of(FileRole.TRANSCRIPT, Recordings.file(dir, "a.txt", 10), "straße.txt"))
                .file(RecordingFile.of(FileRole.OTHER, Recordings.file(dir, "c.txt", 10), "STRASSE.txt")).build());
        assertThat(eszett.reason()).hasValueSatisfying(r -> assertThat(r).contains("differ only in case or Unicode form"));
        assertThat(run(options().build(), Recordings.base(710).video(video())
                .file(RecordingFile.of(FileRole.OTHER, Recordings.file(dir, "m.json", 10), "Metadata.JSON")).build())
                .reason()).hasValueSatisfying(r -> assertThat(r)
                .contains("metadata.json and the metadata role are reserved for the document Reelay writes (the name in any case)"));
        nothingHappened();
    }

    @Test
    void aNameInDecomposedFormIsStoredAndSentInComposedForm() {
        Path nfdFile = Recordings.file(dir, NFD, 10);
        assertThat(nfdFile.getFileName().toString()).isEqualTo(NFD);

        PipelineResult result = run(options().build(), Recordings.base(711).video(video()).transcript(nfdFile).build());

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(result.files().get(1).name()).isEqualTo(NFC);
        assertThat(result.files().get(1).key()).isEqualTo("711/" + NFC);
        assertThat(s3.exists("711/" + NFC)).isTrue();
        assertThat(s3.exists("711/" + NFD)).isFalse();
        assertThat(receiver.stored(711).payload().at("/file_info/individual_sizes_mb").fieldNames())
                .toIterable().containsExactly("video.mkv", NFC);
        assertThat(Normalizer.isNormalized(RecordingFile.of(FileRole.OTHER, nfdFile).name(), Normalizer.Form.NFC)).isTrue();
    }
}
