package dev.reelay.internal.pipeline;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingMetadata;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The metadata document of a recording from what was stored of it. */
final class MetadataAssembler {

    private static final List<FileRole> NAMED_ROLES = List.of(FileRole.VIDEO, FileRole.THUMBNAIL, FileRole.TRANSCRIPT);

    private MetadataAssembler() {
    }

    /**
     * Sizes in MiB per stored file and in total (from the byte sum, not from the rounded parts);
     * {@code uploaded_files} with the first stored file of each named role and the document's own
     * URL; the probed duration for {@code duration_seconds} when there is one, the declared one
     * for {@code duration_database} when there is one, each standing in for the other.
     */
    static RecordingMetadata assemble(Recording r, List<FileOutcome> stored, Duration probed, String metadataUrl,
                                      Instant now, String uploadSource, String bucket, String region) {
        long total = 0;
        Map<String, BigDecimal> sizes = new LinkedHashMap<>();
        for (FileOutcome f : stored) {
            total += f.size();
            sizes.put(f.name(), RecordingMetadata.mebibytes(f.size()));
        }
        Map<String, String> urls = uploadedFiles(stored, metadataUrl);
        Long declaredSeconds = r.declaredDuration().map(MetadataAssembler::roundedSeconds).orElse(null);
        Long probedSeconds = probed == null ? null : roundedSeconds(probed);
        return new RecordingMetadata(r.id(), r.title(), r.createdAt(),
                probedSeconds != null ? probedSeconds : declaredSeconds,
                declaredSeconds != null ? declaredSeconds : probedSeconds,
                r.user(), RecordingMetadata.mebibytes(total), sizes, urls, now, uploadSource, bucket, region);
    }

    /** {@code uploaded_files}: the first stored file of each named role, and the document's own URL. */
    static Map<String, String> uploadedFiles(List<FileOutcome> stored, String metadataUrl) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (FileRole role : NAMED_ROLES) {
            stored.stream().filter(f -> f.role() == role).findFirst().ifPresent(f -> urls.put(role.payloadKey(), f.url()));
        }
        urls.put(FileRole.METADATA.payloadKey(), metadataUrl);
        return urls;
    }

    static long roundedSeconds(Duration d) {
        return (d.toMillis() + 500) / 1000;
    }
}
