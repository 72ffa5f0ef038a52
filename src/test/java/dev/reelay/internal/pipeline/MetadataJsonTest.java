package dev.reelay.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataJsonTest {

    @Test
    void mebibytesRoundHalfUpToTwoPlaces() {
        assertThat(RecordingMetadata.mebibytes(524_288)).isEqualByComparingTo("0.50");
        assertThat(RecordingMetadata.mebibytes(5_243)).isEqualByComparingTo("0.01"); // 0.005000 rounds up
        assertThat(RecordingMetadata.mebibytes(5_242)).isEqualByComparingTo("0.00"); // 0.004999 rounds down
        assertThat(RecordingMetadata.mebibytes(0)).isEqualByComparingTo("0");
        assertThat(RecordingMetadata.mebibytes(1L << 40)).isEqualByComparingTo("1048576.00");
    }

    @Test
    void timestampsHaveTheSeedsShapesInUtc() {
        Instant t = Instant.parse("2025-10-25T01:55:59.374860Z");
        assertThat(MetadataJson.createdAt(t)).isEqualTo("2025-10-25 01:55:59.374860");
        assertThat(MetadataJson.uploadTimestamp(t)).isEqualTo("2025-10-25T01:55:59.374860");
        assertThat(MetadataJson.createdAt(Instant.parse("2025-10-25T01:55:59Z"))).isEqualTo("2025-10-25 01:55:59.000000");
    }

    @Test
    void aDocumentReadsBackAsWritten() {
        Map<String, BigDecimal> sizes = new LinkedHashMap<>();
        sizes.put("video.mkv", new BigDecimal("0.50"));
        sizes.put("transcript.txt", new BigDecimal("0.00"));
        RecordingMetadata m = new RecordingMetadata(3, "Réunion 🎬 \u202Eright-to-left", Instant.parse("2025-10-25T01:55:59.374860Z"),
                77L, null, new UserInfo("souvik", "souvik@example.com"), new BigDecimal("0.51"), sizes,
                Map.of("video", "https://s3.example.com/b/3/video.mkv"), Instant.parse("2025-10-25T01:57:22.775114Z"),
                "reelay", "b", "us-west-1");

        RecordingMetadata back = RecordingMetadata.fromJson(m.toJson());

        assertThat(back.title()).isEqualTo(m.title());
        assertThat(back.createdAt()).isEqualTo(m.createdAt());
        assertThat(back.uploadTimestamp()).isEqualTo(m.uploadTimestamp());
        assertThat(back.durationSeconds()).isEqualTo(77L);
        assertThat(back.durationDatabase()).isNull();
        assertThat(back.totalSizeMb()).isEqualByComparingTo("0.51");
        assertThat(back.individualSizesMb().keySet()).containsExactly("video.mkv", "transcript.txt");
        assertThat(back.uploadedFiles()).isEqualTo(m.uploadedFiles());
    }
}
