package dev.reelay.storage;

import reactor.core.publisher.Mono;

/**
 * Where recordings are stored. The default is S3-compatible storage through the AWS SDK v2
 * ({@link S3StorageOptions}); a host may plug in any other store.
 *
 * <p>Implementations are non-blocking: the returned {@code Mono}s do nothing until
 * subscribed, may be subscribed again to try again, and never block the subscribing thread.
 * They retry what can succeed later on their own and fail with an
 * {@link ObjectStoreException} otherwise. Reelay bounds how many {@code put}s run at once.
 *
 * <pre>{@code
 * ObjectStore store = ...;
 * Mono<StoredObject> stored = store.put(ObjectUpload.ofBytes("3/hello.txt", bytes, "text/plain"));
 * }</pre>
 */
public interface ObjectStore {

    /** The bucket, sent as {@code bucket_name}. */
    String bucket();

    /** The region, sent as {@code region}. */
    String region();

    /** Stores the object under its key, replacing any object there. */
    Mono<StoredObject> put(ObjectUpload upload);

    /** The size of the object under {@code key}; empty when there is none. */
    Mono<Long> size(String key);

    /** The URL published for the object under {@code key}. */
    String url(String key);
}
