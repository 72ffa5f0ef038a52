package dev.reelay.storage;

import dev.reelay.internal.storage.PathStyleUrls;
import java.net.URI;

/**
 * Decides the URL published for a stored object (in {@code uploaded_files} and in the
 * results).
 *
 * <p>The default is the original system's path-style URL {@code {endpoint}/{bucket}/{key}},
 * e.g. {@code https://s3.us-west-1.idrivee2.com/fyemeet/3/video.mkv}, with each key segment
 * percent-encoded.
 *
 * <pre>{@code
 * UrlStrategy cdn = (bucket, key) -> "https://cdn.example.com/" + key;
 * }</pre>
 */
@FunctionalInterface
public interface UrlStrategy {

    /** The URL of {@code key} in {@code bucket}. Must not block. */
    String url(String bucket, String key);

    /** Path-style URLs under {@code endpoint}, e.g. {@code https://s3.example.com/bucket/key}. */
    static UrlStrategy pathStyle(URI endpoint) {
        return new PathStyleUrls(endpoint);
    }
}
