package dev.reelay.bench;

import dev.reelay.FileRole;
import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import dev.reelay.RecordingMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The recordings of the workloads, owned by the receiver's known user, and their metadata. */
final class Recordings {

    static final Instant CREATED_AT = Instant.parse("2025-10-25T01:55:59.374860Z");

    private Recordings() {
    }

    static Recording.Builder base(long id) {
        return Recording.builder(id)
                .title("Meeting 2025-10-24 21:55")
                .createdAt(CREATED_AT)
                .declaredDuration(Duration.ofSeconds(77))
                .user("souvik", Receiver.EMAIL);
    }

    /** Recording {@code id} with a video, a thumbnail and a transcript of random bytes, in {@code dir/id}. */
    static Recording threeFiles(Path dir, long id, long videoBytes, long thumbnailBytes, long transcriptBytes) {
        Path d = dir.resolve(Long.toString(id));
        return base(id)
                .video(BenchFiles.random(d.resolve("video.mkv"), videoBytes, id * 3))
                .thumbnail(BenchFiles.random(d.resolve("thumbnail.jpg"), thumbnailBytes, id * 3 + 1))
                .transcript(BenchFiles.random(d.resolve("transcript.txt"), transcriptBytes, id * 3 + 2))
                .build();
    }

    /**
     * The same recordings (same files) under the ids {@code firstId}, {@code firstId + 1}, …: Reelay's journal does
     * not redo a recording it completed, so each run of a batch takes new ids to be new work, as a host's next
     * recordings are.
     */
    static List<Recording> renumbered(List<Recording> recordings, long firstId) {
        List<Recording> out = new ArrayList<>(recordings.size());
        long id = firstId;
        for (Recording r : recordings) {
            Recording.Builder b = Recording.builder(id++).title(r.title()).createdAt(r.createdAt()).user(r.user());
            r.declaredDuration().ifPresent(b::declaredDuration);
            r.files().forEach(b::file);
            out.add(b.build());
        }
        return out;
    }

    static long bytes(List<Recording> recordings) {
        long total = 0;
        for (Recording r : recordings) {
            for (RecordingFile f : r.files()) {
                total += size(f.path());
            }
        }
        return total;
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The metadata document of a recording whose files were all stored, in the same shape as
     * Reelay's (the public {@link RecordingMetadata} record), with the URLs given.
     */
    static RecordingMetadata metadata(Recording r, Map<FileRole, String> urls, String metadataUrl, String uploadSource,
                                      Clock clock) {
        long total = 0;
        Map<String, java.math.BigDecimal> sizes = new LinkedHashMap<>();
        for (RecordingFile f : r.files()) {
            long n = size(f.path());
            total += n;
            sizes.put(f.name(), RecordingMetadata.mebibytes(n));
        }
        Map<String, String> uploaded = new LinkedHashMap<>();
        for (FileRole role : List.of(FileRole.VIDEO, FileRole.THUMBNAIL, FileRole.TRANSCRIPT)) {
            if (urls.containsKey(role)) {
                uploaded.put(role.payloadKey(), urls.get(role));
            }
        }
        uploaded.put(FileRole.METADATA.payloadKey(), metadataUrl);
        Long declared = r.declaredDuration().map(Duration::toSeconds).orElse(null);
        return new RecordingMetadata(r.id(), r.title(), r.createdAt(), declared, declared, r.user(),
                RecordingMetadata.mebibytes(total), sizes, uploaded, clock.instant(), uploadSource,
                S3ServerMain.BUCKET, S3ServerMain.REGION);
    }

    /** A document for the webhook workload: recording {@code id} with three files of workload 1's sizes. */
    static RecordingMetadata webhookDocument(long id, String baseUrl) {
        Map<String, java.math.BigDecimal> sizes = new LinkedHashMap<>();
        sizes.put("video.mkv", RecordingMetadata.mebibytes(16L * BenchFiles.MiB));
        sizes.put("thumbnail.jpg", RecordingMetadata.mebibytes(50L * BenchFiles.KiB));
        sizes.put("transcript.txt", RecordingMetadata.mebibytes(20L * BenchFiles.KiB));
        Map<String, String> uploaded = new LinkedHashMap<>();
        uploaded.put("video", baseUrl + "/" + id + "/video.mkv");
        uploaded.put("thumbnail", baseUrl + "/" + id + "/thumbnail.jpg");
        uploaded.put("transcript", baseUrl + "/" + id + "/transcript.txt");
        uploaded.put("metadata", baseUrl + "/" + id + "/metadata.json");
        return new RecordingMetadata(id, "Meeting 2025-10-24 21:55", CREATED_AT, 77L, 77L,
                base(id).build().user(), RecordingMetadata.mebibytes(16L * BenchFiles.MiB + 70L * BenchFiles.KiB),
                sizes, uploaded, Instant.parse("2025-10-25T01:57:22.775114Z"), "reelay", S3ServerMain.BUCKET,
                S3ServerMain.REGION);
    }
}
