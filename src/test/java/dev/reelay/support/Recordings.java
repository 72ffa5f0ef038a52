package dev.reelay.support;

import dev.reelay.Recording;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/** Recordings on disk for tests: files of random bytes of the sizes asked. */
public final class Recordings {

    public static final String EMAIL = "souvik@fyelabs.com";
    public static final Instant CREATED_AT = Instant.parse("2025-10-25T01:55:59.374860Z");

    private Recordings() {
    }

    /** A file of {@code size} random bytes, seeded by its name so that reruns write the same bytes. */
    public static Path file(Path dir, String name, long size) {
        try {
            Files.createDirectories(dir);
            Path p = dir.resolve(name);
            Random random = new Random(name.hashCode() * 31L + size);
            byte[] chunk = new byte[64 * 1024];
            try (var out = Files.newOutputStream(p)) {
                long left = size;
                while (left > 0) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, left);
                    out.write(chunk, 0, n);
                    left -= n;
                }
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recording {@code id} with a video, a thumbnail and a transcript in {@code dir/id}. */
    public static Recording threeFiles(Path dir, long id, long videoBytes, long thumbnailBytes, long transcriptBytes) {
        Path d = dir.resolve(Long.toString(id));
        return base(id)
                .video(file(d, "video.mkv", videoBytes))
                .thumbnail(file(d, "thumbnail.jpg", thumbnailBytes))
                .transcript(file(d, "transcript.txt", transcriptBytes))
                .build();
    }

    /** Recording {@code id}, titled and owned like the seed's, without files. */
    public static Recording.Builder base(long id) {
        return Recording.builder(id)
                .title("Meeting 2025-10-24 21:55")
                .createdAt(CREATED_AT)
                .declaredDuration(Duration.ofSeconds(77))
                .user("souvik", EMAIL);
    }
}
