package dev.reelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.reelay.PipelineResult.Status;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Symbolic links and files outside a base directory, with the option on and off. */
class FileAccessTest extends ServersTest {

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .webhook(fastEndpoint(receiver.url()).build())
                .media(MediaOptions.disabled());
    }

    /** A file outside the recording's directory, as /etc/passwd is, and a link to it named transcript.txt. */
    Path linkToOutside(Path recordingDir) throws IOException {
        Path outside = Recordings.file(dir.resolve("elsewhere"), "passwd", 64);
        Files.createDirectories(recordingDir);
        return Files.createSymbolicLink(recordingDir.resolve("transcript.txt"), outside);
    }

    @Test
    void byDefaultALinkIsFollowedAsBefore() throws IOException {
        Path rec = dir.resolve("rec");
        Recording recording = Recordings.base(801).video(Recordings.file(rec, "video.mkv", 100)).transcript(linkToOutside(rec)).build();

        PipelineResult result = submit(options().build(), recording);

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(s3.exists("801/transcript.txt")).isTrue();
    }

    @Test
    void withLinksRefusedALinkIsNeitherUploadedNorPublished() throws IOException {
        Path rec = dir.resolve("rec");
        Path link = linkToOutside(rec);
        Recording recording = Recordings.base(802).video(Recordings.file(rec, "video.mkv", 100)).transcript(link).build();

        PipelineResult result = submit(options().fileAccess(FileAccess.refuseLinks()).build(), recording);

        assertThat(result.status()).isEqualTo(Status.PARTIAL);
        assertThat(result.files().get(1).error()).isEqualTo("recording 802: transcript.txt: is a symbolic link, and links "
                + "are refused (FileAccess.refuseLinks()): " + link);
        assertThat(s3.exists("802/transcript.txt")).isFalse();
        assertThat(receiver.stored(802).payload().path("uploaded_files").has("transcript")).isFalse();
        assertThat(receiver.stored(802).payload().at("/file_info/individual_sizes_mb").has("transcript.txt")).isFalse();
    }

    @Test
    void aLinkedVideoIsNotDecodedEither() throws IOException {
        Path rec = dir.resolve("rec");
        Path real = Recordings.file(dir.resolve("elsewhere"), "real.mkv", 100);
        Files.createDirectories(rec);
        Path link = Files.createSymbolicLink(rec.resolve("video.mkv"), real);
        List<Path> decoded = new CopyOnWriteArrayList<>();
        MediaOptions media = MediaOptions.builder()
                .probe(video -> {
                    decoded.add(video);
                    return Duration.ofSeconds(1);
                })
                .thumbnailer((video, target, spec) -> decoded.add(video))
                .build();

        PipelineResult result = submit(options().media(media).fileAccess(FileAccess.refuseLinks()).build(),
                Recordings.base(803).video(link).transcript(Recordings.file(rec, "transcript.txt", 10)).build());

        assertThat(decoded).isEmpty();
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("media skipped: is a symbolic link"));
        assertThat(result.status()).isEqualTo(Status.PARTIAL);
        assertThat(s3.exists("803/video.mkv")).isFalse();
        assertThat(s3.exists("803/thumbnail.jpg")).isFalse();
    }

    @Test
    void withABaseDirectoryOnlyFilesWhoseRealPathIsInsideItAreRead() throws IOException {
        Path base = dir.resolve("recordings");
        Path rec = base.resolve("804");
        Path video = Recordings.file(rec, "video.mkv", 100);
        Path linkInside = Files.createSymbolicLink(rec.resolve("notes.txt"), video);
        Path linkOutside = linkToOutside(rec);
        Path outside = Recordings.file(dir.resolve("elsewhere"), "other.txt", 10);
        Recording recording = Recordings.base(804).video(video).transcript(linkOutside)
                .file(FileRole.OTHER, linkInside)
                .file(RecordingFile.of(FileRole.OTHER, rec.resolve("../../elsewhere/other.txt"), "other.txt"))
                .build();

        PipelineResult result = submit(options().fileAccess(FileAccess.followLinks().withBaseDirectory(base)).build(), recording);

        assertThat(result.status()).isEqualTo(Status.PARTIAL);
        assertThat(result.files()).extracting(FileOutcome::name, FileOutcome::stored).containsExactly(
                tuple("video.mkv", true), tuple("transcript.txt", false), tuple("notes.txt", true), tuple("other.txt", false));
        assertThat(result.files().get(1).error()).isEqualTo("recording 804: transcript.txt: lies outside the base directory "
                + base + " (FileAccess.withBaseDirectory(…)): " + linkOutside);
        assertThat(result.files().get(3).error()).contains("lies outside the base directory");
        assertThat(s3.exists("804/transcript.txt")).isFalse();
        assertThat(s3.exists("804/other.txt")).isFalse();
        assertThat(Files.exists(outside)).isTrue();
    }
}
