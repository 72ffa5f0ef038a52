package dev.reelay.internal.storage;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * When a presigned URL stops working, read from its SigV4 query string ({@code X-Amz-Date} plus
 * {@code X-Amz-Expires}). A URL without them never expires.
 */
public final class UrlExpiry {

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private UrlExpiry() {
    }

    /**
     * Whether the URL still works for at least half of its lifetime from {@code now}: a URL
     * delivered now is then good for at least half the expiry that was asked for.
     */
    public static boolean fresh(String url, Instant now) {
        Optional<Window> w = window(url);
        if (w.isEmpty()) {
            return true;
        }
        Duration left = Duration.between(now, w.get().expires);
        return left.compareTo(w.get().lifetime.dividedBy(2)) >= 0;
    }

    /** When the URL expires, if it is presigned. */
    public static Optional<Instant> of(String url) {
        return window(url).map(w -> w.expires);
    }

    private static Optional<Window> window(String url) {
        if (url == null) {
            return Optional.empty();
        }
        String query;
        try {
            query = URI.create(url).getRawQuery();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (query == null) {
            return Optional.empty();
        }
        String date = null;
        String expires = null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            switch (name) {
                case "X-Amz-Date" -> date = value;
                case "X-Amz-Expires" -> expires = value;
                default -> { }
            }
        }
        try {
            if (date != null && expires != null) {
                Instant signed = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
                Duration lifetime = Duration.ofSeconds(Long.parseLong(expires));
                return Optional.of(new Window(signed.plus(lifetime), lifetime));
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private record Window(Instant expires, Duration lifetime) {
    }
}
