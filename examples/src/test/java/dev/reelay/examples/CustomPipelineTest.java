package dev.reelay.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CustomPipelineTest {

    @Test
    void printsTheRealSha256OfEveryStoredFileTheThumbnailReelayCutIncluded(@TempDir Path dir) throws Exception {
        DemoRecording.writeVideo(dir.resolve("video.mkv")); // a real video: Reelay cuts a thumbnail from it
        Files.writeString(dir.resolve("transcript.txt"), "[00:00] hello\n");
        Output out = new Output();

        int status = new CustomPipeline().run(Map.of("REELAY_RECORDING_DIR", dir.toString()), out.stream);

        String text = out.text();
        assertThat(status).as(text).isZero();
        assertThat(text)
                .containsPattern("video\\.mkv +" + sha256(dir.resolve("video.mkv")) + "\\R")
                .containsPattern("transcript\\.txt +" + sha256(dir.resolve("transcript.txt")) + "\\R")
                .containsPattern("thumbnail\\.jpg +[0-9a-f]{64}\\R")
                .contains("Result: COMPLETED");
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
