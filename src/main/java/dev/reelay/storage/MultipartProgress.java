package dev.reelay.storage;

import java.util.List;
import java.util.Objects;

/**
 * How far a multipart upload of one file has got: the store's upload id, the part size, the
 * file as it was when the upload started, and the parts stored so far. The journal keeps it, so
 * that a later run continues the upload from the stored parts instead of from byte 0.
 *
 * <pre>{@code
 * MultipartProgress progress = new MultipartProgress(uploadId, 8 << 20, Files.size(video),
 *         Files.getLastModifiedTime(video).toMillis(), List.of(new MultipartProgress.Part(1, "\"etag-1\"", 8 << 20)));
 * }</pre>
 *
 * @param uploadId           the store's id of the multipart upload
 * @param partSize           the size of every part but the last
 * @param fileSize           the file's size when the upload started
 * @param fileModifiedMillis the file's modification time when the upload started, in epoch milliseconds
 * @param parts              the parts known to be stored, in any order
 */
public record MultipartProgress(String uploadId, long partSize, long fileSize, long fileModifiedMillis, List<Part> parts) {

    public MultipartProgress {
        Objects.requireNonNull(uploadId, "uploadId");
        parts = List.copyOf(parts);
    }

    /** The same upload with one more part stored. */
    public MultipartProgress withPart(Part part) {
        List<Part> more = new java.util.ArrayList<>(parts.size() + 1);
        parts.stream().filter(p -> p.number() != part.number()).forEach(more::add);
        more.add(part);
        return new MultipartProgress(uploadId, partSize, fileSize, fileModifiedMillis, more);
    }

    /**
     * One stored part.
     *
     * @param number its part number, from 1
     * @param eTag   the ETag the store answered
     * @param size   its size in bytes
     */
    public record Part(int number, String eTag, long size) {
    }
}
