package dev.reelay.storage;

import reactor.core.publisher.Mono;

/**
 * Hears how a multipart upload goes, so that a journal can keep its {@link MultipartProgress}
 * and a later attempt continue it. The store subscribes to each returned {@code Mono} before it
 * goes on (a part counts as done once its write completes); a listener that fails is logged and
 * ignored, never fails the upload. Neither method may block.
 *
 * <pre>{@code
 * ObjectUpload upload = ObjectUpload.ofFile(key, video, size, "video/x-matroska")
 *         .withMultipartListener(new MultipartListener() {
 *             public Mono<Void> started(MultipartProgress progress) {
 *                 return journal.saveUpload(key, progress);
 *             }
 *             public Mono<Void> partStored(String uploadId, MultipartProgress.Part part) {
 *                 return journal.savePart(key, uploadId, part);
 *             }
 *         });
 * }</pre>
 */
public interface MultipartListener {

    /**
     * An upload is under way: a new one (no parts yet) or one continued (with the parts the store
     * confirmed). It replaces whatever was known of an earlier upload of the same object.
     */
    Mono<Void> started(MultipartProgress progress);

    /** One more part of upload {@code uploadId} is stored. */
    Mono<Void> partStored(String uploadId, MultipartProgress.Part part);
}
