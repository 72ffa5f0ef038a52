package dev.reelay.storage;

import dev.reelay.internal.webhook.Redaction;

/**
 * An object that the store holds now.
 *
 * @param key      the object key
 * @param url      the URL the webhook publishes for it (see {@link UrlStrategy}); may be presigned
 * @param size     the bytes stored
 * @param attempts the requests it took, retries included (a multipart upload counts the
 *                 attempts of its slowest part)
 */
public record StoredObject(String key, String url, long size, int attempts) {

    /** Shown without the URL's query string, which may hold a presigned signature. */
    @Override
    public String toString() {
        return "StoredObject{key=" + key + ", url=" + (url == null ? null : Redaction.url(url)) + ", size=" + size
                + ", attempts=" + attempts + "}";
    }
}
