package dev.reelay.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * One object to store: its key, its content (a local file, streamed from disk, or a small
 * byte array) and its content type.
 *
 * <pre>{@code
 * ObjectUpload video = ObjectUpload.ofFile("3/video.mkv", Path.of("video.mkv"), 524_288, "video/x-matroska");
 * ObjectUpload doc = ObjectUpload.ofBytes("3/metadata.json", json, "application/json");
 * }</pre>
 */
public final class ObjectUpload {

    private static final LongConsumer NO_PROGRESS = n -> { };

    private final String key;
    private final Path file;
    private final byte[] bytes;
    private final long size;
    private final String contentType;
    private final LongConsumer progress;

    private ObjectUpload(String key, Path file, byte[] bytes, long size, String contentType, LongConsumer progress) {
        this.key = Objects.requireNonNull(key, "key");
        this.file = file;
        this.bytes = bytes;
        this.size = size;
        this.contentType = contentType == null ? "application/octet-stream" : contentType;
        this.progress = progress == null ? NO_PROGRESS : progress;
        if (size < 0) {
            throw new IllegalArgumentException("size of " + key + " must be >= 0, was " + size);
        }
    }

    /**
     * The first {@code size} bytes of a local file; the size is what the file had when the
     * recording was prepared, so a file that grows meanwhile is stored as it was then.
     */
    public static ObjectUpload ofFile(String key, Path file, long size, String contentType) {
        return new ObjectUpload(key, Objects.requireNonNull(file, "file"), null, size, contentType, null);
    }

    /** A small in-memory object such as {@code metadata.json}. The array is not copied. */
    public static ObjectUpload ofBytes(String key, byte[] bytes, String contentType) {
        Objects.requireNonNull(bytes, "bytes");
        return new ObjectUpload(key, null, bytes, bytes.length, contentType, null);
    }

    /**
     * The same upload, reporting each chunk's byte count to {@code progress} as it is sent.
     * The callback runs on I/O threads: it must be quick and must not block. A retried
     * request reports its bytes again.
     */
    public ObjectUpload withProgress(LongConsumer progress) {
        return new ObjectUpload(key, file, bytes, size, contentType, Objects.requireNonNull(progress, "progress"));
    }

    public String key() {
        return key;
    }

    /** The local file, when the content is a file. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The content, when it is held in memory. */
    public Optional<byte[]> bytes() {
        return Optional.ofNullable(bytes);
    }

    /** The number of bytes to store. */
    public long size() {
        return size;
    }

    public String contentType() {
        return contentType;
    }

    /** Where sent byte counts are reported; a no-op unless {@link #withProgress} was used. */
    public LongConsumer progress() {
        return progress;
    }

    @Override
    public String toString() {
        return "ObjectUpload{key=" + key + ", size=" + size + "}";
    }
}
