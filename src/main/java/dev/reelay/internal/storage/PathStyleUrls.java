package dev.reelay.internal.storage;

import dev.reelay.storage.UrlStrategy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** {@code {endpoint}/{bucket}/{key}}, each key segment percent-encoded as S3 expects. */
public final class PathStyleUrls implements UrlStrategy {

    private final String base;

    public PathStyleUrls(URI endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        String s = endpoint.toString();
        int query = s.indexOf('?');
        if (query >= 0) {
            s = s.substring(0, query);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        this.base = s;
    }

    @Override
    public String url(String bucket, String key) {
        StringBuilder sb = new StringBuilder(base.length() + bucket.length() + key.length() + 8);
        sb.append(base).append('/').append(encodeSegment(bucket));
        for (String segment : key.split("/", -1)) {
            sb.append('/').append(encodeSegment(segment));
        }
        return sb.toString();
    }

    /** RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes. */
    static String encodeSegment(String segment) {
        StringBuilder sb = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PathStyleUrls{" + base + "}";
    }
}
