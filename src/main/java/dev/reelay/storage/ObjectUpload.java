package dev.reelay.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * One object to store: its key, its content (a local file, streamed from disk, or a small
 * byte array) and its content type; for a large file, the multipart upload to continue and who
 * hears of its parts.
 *
 * <pre>{@code
 * ObjectUpload video = ObjectUpload.ofFile("3/video.mkv", Path.of("video.mkv"), 524_288, "video/x-matroska");
 * ObjectUpload doc = ObjectUpload.ofBytes("3/metadata.json", json, "application/json");
 * ObjectUpload continued = video.resumeFrom(progressFromMyJournal).withMultipartListener(myJournal);
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
    private final MultipartProgress resumeFrom;
    private final MultipartListener multipartListener;

    private ObjectUpload(String key, Path file, byte[] bytes, long size, String contentType, LongConsumer progress,
                         MultipartProgress resumeFrom, MultipartListener multipartListener) {
        this.key = Objects.requireNonNull(key, "key");
        this.file = file;
        this.bytes = bytes;
        this.size = size;
        this.contentType = contentType == null ? "application/octet-stream" : contentType;
        this.progress = progress == null ? NO_PROGRESS : progress;
        this.resumeFrom = resumeFrom;
        this.multipartListener = multipartListener;
        if (size < 0) {
            throw new IllegalArgumentException("size of " + key + " must be >= 0, was " + size);
        }
    }

    /**
     * A local file of {@code size} bytes. The file must stay as it is until all of it is read: a
     * file that changes meanwhile (it was handed in before it was finished) is not stored, and
     * the store fails the upload at once, without retries, saying so.
     */
    public static ObjectUpload ofFile(String key, Path file, long size, String contentType) {
        return new ObjectUpload(key, Objects.requireNonNull(file, "file"), null, size, contentType, null, null, null);
    }

    /** A small in-memory object such as {@code metadata.json}. The array is not copied. */
    public static ObjectUpload ofBytes(String key, byte[] bytes, String contentType) {
        Objects.requireNonNull(bytes, "bytes");
        return new ObjectUpload(key, null, bytes, bytes.length, contentType, null, null, null);
    }

    /**
     * The same upload, reporting each chunk's byte count to {@code progress} as it is sent.
     * The callback runs on I/O threads: it must be quick and must not block. A retried
     * request reports its bytes again.
     */
    public ObjectUpload withProgress(LongConsumer progress) {
        return new ObjectUpload(key, file, bytes, size, contentType, Objects.requireNonNull(progress, "progress"),
                resumeFrom, multipartListener);
    }

    /**
     * The same upload, continuing the multipart upload {@code progress} describes: the store sends
     * only the parts it does not confirm, provided the file still has the size and modification
     * time it had then. An upload that cannot be continued (the store forgot it, the file changed,
     * the part size differs) is aborted and started again from the first byte.
     */
    public ObjectUpload resumeFrom(MultipartProgress progress) {
        return new ObjectUpload(key, file, bytes, size, contentType, this.progress,
                Objects.requireNonNull(progress, "progress"), multipartListener);
    }

    /**
     * The same upload, telling {@code listener} when a multipart upload starts and as each part is
     * stored, so that it can be continued after a crash or a stop. With a listener, an upload that
     * fails for a reason that may pass (the network, the store's 5xx) or is cancelled is left in
     * the store for a later attempt instead of being aborted.
     */
    public ObjectUpload withMultipartListener(MultipartListener listener) {
        return new ObjectUpload(key, file, bytes, size, contentType, progress, resumeFrom,
                Objects.requireNonNull(listener, "listener"));
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

    /** The multipart upload to continue, when there is one. */
    public Optional<MultipartProgress> resumableFrom() {
        return Optional.ofNullable(resumeFrom);
    }

    /** Who hears of the multipart upload's progress, when someone does. */
    public Optional<MultipartListener> multipartListener() {
        return Optional.ofNullable(multipartListener);
    }

    @Override
    public String toString() {
        return "ObjectUpload{key=" + key + ", size=" + size + "}";
    }
}
