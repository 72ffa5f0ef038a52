package dev.reelay.storage;

/**
 * An object that the store holds now.
 *
 * @param key      the object key
 * @param url      the URL the webhook publishes for it (see {@link UrlStrategy})
 * @param size     the bytes stored
 * @param attempts the requests it took, retries included (a multipart upload counts the
 *                 attempts of its slowest part)
 */
public record StoredObject(String key, String url, long size, int attempts) {
}
