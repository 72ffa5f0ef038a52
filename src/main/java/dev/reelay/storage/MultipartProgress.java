package dev.reelay.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How far a multipart upload of a local file got: the store's upload id, the part size, the file
 * as it was when the upload started (size and modification time), and the parts stored so far.
 * A journal keeps it so that an upload interrupted by a crash, a stop or a failure continues from
 * its stored parts ({@link ObjectUpload#resumeFrom}) instead of from byte 0.
 *
 * <pre>{@code
 * MultipartProgress progress = new MultipartProgress(uploadId, 8 << 20, 2_147_483_648L, modifiedMillis, List.of());
 * progress = progress.withPart(new MultipartProgress.Part(1, "\"9b2cf535f27731c974343645a3985328\"", 8 << 20));
 * ObjectUpload continued = ObjectUpload.ofFile("3/video.mkv", video, 2_147_483_648L, "video/x-matroska")
 *         .resumeFrom(progress);
 * }</pre>
 *
 * @param uploadId           the store's id of the multipart upload
 * @param partSize           the size of every part but the last
 * @param fileSize           the file's size when the upload started
 * @param fileModifiedMillis the file's modification time then, in milliseconds since the epoch
 * @param parts              the parts stored so far, by part number
 */
public record MultipartProgress(String uploadId, long partSize, long fileSize, long fileModifiedMillis,
                                List<Part> parts) {

    /**
     * One stored part.
     *
     * @param number its part number, from 1
     * @param eTag   the entity tag the store answered for it
     * @param size   its bytes
     */
    public record Part(int number, String eTag, long size) {
        public Part {
            if (number < 1) {
                throw new IllegalArgumentException("part numbers start at 1, was " + number);
            }
            Objects.requireNonNull(eTag, "eTag");
            if (size < 0) {
                throw new IllegalArgumentException("part size must be >= 0, was " + size);
            }
        }
    }

    public MultipartProgress {
        Objects.requireNonNull(uploadId, "uploadId");
        if (partSize <= 0 || fileSize < 0) {
            throw new IllegalArgumentException("partSize must be > 0 and fileSize >= 0, were " + partSize + " and " + fileSize);
        }
        List<Part> sorted = new ArrayList<>(Objects.requireNonNull(parts, "parts"));
        sorted.sort(Comparator.comparingInt(Part::number));
        parts = List.copyOf(sorted);
    }

    /** The number of parts the whole file takes. */
    public int partCount() {
        return (int) ((fileSize + partSize - 1) / partSize);
    }

    /** The bytes of the stored parts. */
    public long storedBytes() {
        return parts.stream().mapToLong(Part::size).sum();
    }

    /** The same progress with {@code part} stored (replacing a part of the same number). */
    public MultipartProgress withPart(Part part) {
        List<Part> more = new ArrayList<>(parts.size() + 1);
        for (Part p : parts) {
            if (p.number() != part.number()) {
                more.add(p);
            }
        }
        more.add(part);
        return new MultipartProgress(uploadId, partSize, fileSize, fileModifiedMillis, more);
    }

    @Override
    public String toString() {
        return "MultipartProgress{uploadId=" + uploadId + ", partSize=" + partSize + ", fileSize=" + fileSize
                + ", parts=" + parts.size() + " of " + partCount() + "}";
    }
}
