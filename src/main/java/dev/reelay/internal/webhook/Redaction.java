package dev.reelay.internal.webhook;

import java.net.InetAddress;
import java.net.URI;

/** URLs as they may be shown: no user info, no query string, no fragment. */
public final class Redaction {

    private Redaction() {
    }

    public static String url(URI uri) {
        return url(uri, false);
    }

    /**
     * Like {@link #url(URI)}; with {@code secretPath}, only the first segment of the path is kept
     * ({@code https://hooks.slack.com/services/…}): the rest is the secret.
     */
    public static String url(URI uri, boolean secretPath) {
        StringBuilder sb = new StringBuilder();
        if (uri.getScheme() != null) {
            sb.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            sb.append(uri.getHost());
        }
        if (uri.getPort() >= 0) {
            sb.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            sb.append(secretPath ? firstSegment(uri.getRawPath()) : uri.getRawPath());
        }
        return sb.toString();
    }

    /** {@code /services/T000/B000/XXXX} as {@code /services/…}; {@code /XXXX} as {@code /…}. */
    static String firstSegment(String path) {
        if (path.isEmpty() || path.equals("/")) {
            return path;
        }
        int start = path.startsWith("/") ? 1 : 0;
        int slash = path.indexOf('/', start);
        return slash < 0 || slash == path.length() - 1 ? path.substring(0, start) + "…" : path.substring(0, slash + 1) + "…";
    }

    /** For a string that may not even parse: cut at the first '?' and drop any user info. */
    public static String url(String url) {
        if (url == null) {
            return "null";
        }
        String s = url;
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        int hash = s.indexOf('#');
        if (hash >= 0) {
            s = s.substring(0, hash);
        }
        int scheme = s.indexOf("://");
        int at = s.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            s = s.substring(0, scheme + 3) + s.substring(at + 1);
        }
        return s;
    }

    /** Whether the host is a loopback name or address; decided without a DNS lookup. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (h.matches("[0-9.]+") || h.contains(":")) {
            try {
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (Exception e) {
                return false;
            }
        }
        return false;
    }
}
