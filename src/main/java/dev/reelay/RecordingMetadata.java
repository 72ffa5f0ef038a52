package dev.reelay;

import dev.reelay.internal.pipeline.MetadataJson;
import dev.reelay.internal.webhook.Redaction;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The metadata document of a recording: what Reelay stores as {@code metadata.json} and
 * POSTs as the webhook body, in the original system's JSON shape (snake_case names).
 *
 * <pre>{@code
 * {
 *   "recording_id": 3, "title": "Meeting 2025-10-24 21:55",
 *   "created_at": "2025-10-25 01:55:59.374860",
 *   "duration_seconds": 77, "duration_database": 77,
 *   "user_info": {"username": "souvik", "email": "souvik@example.com"},
 *   "file_info": {"total_size_mb": 0.51, "individual_sizes_mb": {"video.mkv": 0.5, ...}},
 *   "uploaded_files": {"video": "https://…/3/video.mkv", ..., "metadata": "https://…/3/metadata.json"},
 *   "upload_timestamp": "2025-10-25T01:57:22.775114",
 *   "upload_source": "reelay", "bucket_name": "fyemeet", "region": "us-west-1"
 * }
 * }</pre>
 *
 * Sizes are MiB rounded half-up to two places; the total comes from the sum of the bytes,
 * not from the rounded parts. Timestamps are UTC. {@code uploaded_files} names only what was
 * stored.
 *
 * @param recordingId      {@code recording_id}
 * @param title            {@code title}
 * @param createdAt        {@code created_at}
 * @param durationSeconds  {@code duration_seconds}: probed from the media when possible, else declared; null when unknown
 * @param durationDatabase {@code duration_database}: declared by the host, else probed; null when unknown
 * @param userInfo         {@code user_info}
 * @param totalSizeMb      {@code file_info.total_size_mb}
 * @param individualSizesMb {@code file_info.individual_sizes_mb}, by file name, in upload order
 * @param uploadedFiles    {@code uploaded_files}, by role key ({@code video}, {@code thumbnail}, {@code transcript}, {@code metadata})
 * @param uploadTimestamp  {@code upload_timestamp}
 * @param uploadSource     {@code upload_source}
 * @param bucketName       {@code bucket_name}
 * @param region           {@code region}
 */
public record RecordingMetadata(long recordingId, String title, Instant createdAt, Long durationSeconds,
                                Long durationDatabase, UserInfo userInfo, BigDecimal totalSizeMb,
                                Map<String, BigDecimal> individualSizesMb, Map<String, String> uploadedFiles,
                                Instant uploadTimestamp, String uploadSource, String bucketName, String region) {

    private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024L);

    public RecordingMetadata {
        individualSizesMb = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(individualSizesMb)));
        uploadedFiles = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(uploadedFiles)));
    }

    /** Bytes as MiB, rounded half-up to two places: 524288 bytes is 0.50. */
    public static BigDecimal mebibytes(long bytes) {
        return BigDecimal.valueOf(bytes).divide(MIB, 2, RoundingMode.HALF_UP);
    }

    /** The same document with {@code uploaded_files} replaced. */
    public RecordingMetadata withUploadedFiles(Map<String, String> files) {
        return new RecordingMetadata(recordingId, title, createdAt, durationSeconds, durationDatabase, userInfo,
                totalSizeMb, individualSizesMb, files, uploadTimestamp, uploadSource, bucketName, region);
    }

    /** Shown without URL query strings, which may hold presigned signatures. */
    @Override
    public String toString() {
        Map<String, String> urls = new LinkedHashMap<>();
        uploadedFiles.forEach((role, url) -> urls.put(role, Redaction.url(url)));
        return "RecordingMetadata{recordingId=" + recordingId + ", title=" + title + ", createdAt=" + createdAt
                + ", durationSeconds=" + durationSeconds + ", durationDatabase=" + durationDatabase
                + ", userInfo=" + userInfo + ", totalSizeMb=" + totalSizeMb + ", individualSizesMb=" + individualSizesMb
                + ", uploadedFiles=" + urls + ", uploadTimestamp=" + uploadTimestamp + ", uploadSource=" + uploadSource
                + ", bucketName=" + bucketName + ", region=" + region + "}";
    }

    /** The JSON document, UTF-8, as stored and sent. */
    public byte[] toJson() {
        return MetadataJson.write(this);
    }

    /** Reads a document in this shape; unknown fields are ignored. */
    public static RecordingMetadata fromJson(byte[] json) {
        return MetadataJson.read(json);
    }
}
