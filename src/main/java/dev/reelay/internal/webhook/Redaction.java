package dev.reelay.internal.webhook;

import java.net.InetAddress;
import java.net.URI;

/** URLs as they may be shown: no user info, no query string, no fragment. */
public final class Redaction {

    private Redaction() {
    }

    public static String url(URI uri) {
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
            sb.append(uri.getRawPath());
        }
        return sb.toString();
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
