package dev.reelay.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataJsonTest {

    private static final ObjectMapper DATABIND = new ObjectMapper();

    /**
     * The document as releases before the streaming writer wrote it, through databind's tree. The bytes must not
     * change: the webhook-id is a hash of them, and a delivery resumed after an upgrade keeps its id.
     */
    static byte[] asDatabindWroteIt(RecordingMetadata m) throws JsonProcessingException {
        ObjectNode root = DATABIND.createObjectNode();
        root.put("recording_id", m.recordingId());
        root.put("title", m.title());
        root.put("created_at", MetadataJson.createdAt(m.createdAt()));
        root.put("duration_seconds", m.durationSeconds());
        root.put("duration_database", m.durationDatabase());
        ObjectNode user = root.putObject("user_info");
        user.put("username", m.userInfo().username());
        user.put("email", m.userInfo().email());
        ObjectNode fileInfo = root.putObject("file_info");
        fileInfo.put("total_size_mb", m.totalSizeMb().doubleValue());
        ObjectNode sizes = fileInfo.putObject("individual_sizes_mb");
        m.individualSizesMb().forEach((name, mb) -> sizes.put(name, mb.doubleValue()));
        ObjectNode uploaded = root.putObject("uploaded_files");
        m.uploadedFiles().forEach(uploaded::put);
        root.put("upload_timestamp", MetadataJson.uploadTimestamp(m.uploadTimestamp()));
        root.put("upload_source", m.uploadSource());
        root.put("bucket_name", m.bucketName());
        root.put("region", m.region());
        return DATABIND.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    @Test
    void theStreamingWriterWritesTheBytesDatabindWrote() throws Exception {
        Map<String, BigDecimal> sizes = new LinkedHashMap<>();
        sizes.put("video.mkv", new BigDecimal("1234.57"));
        sizes.put("\"quoted\" \\ name\t.txt", new BigDecimal("0.00"));
        RecordingMetadata full = new RecordingMetadata(9_007_199_254_740_991L, "Réunion 🎬 \u202E\u0000 \u2028",
                Instant.parse("2025-10-25T01:55:59.374860Z"), 77L, 0L, new UserInfo("souvik", "souvik@example.com"),
                new BigDecimal("1234.57"), sizes, Map.of("video", "https://s3.example.com/b/3/video.mkv?X-Amz-Signature=ab"),
                Instant.parse("2025-10-25T01:57:22.775114Z"), "reelay", "b", "us-west-1");
        RecordingMetadata sparse = new RecordingMetadata(1, null, Instant.parse("2025-10-25T01:55:59Z"), null, null,
                new UserInfo(null, "a@b.c"), BigDecimal.ZERO, Map.of(), Map.of(), Instant.parse("2025-10-25T01:57:22Z"),
                "reelay", "b", "us-west-1");

        assertThat(new String(full.toJson(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(asDatabindWroteIt(full), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(sparse.toJson()).isEqualTo(asDatabindWroteIt(sparse));
    }

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
