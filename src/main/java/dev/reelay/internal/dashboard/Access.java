package dev.reelay.internal.dashboard;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Who may use the dashboard: the access token (as a bearer token, or once in the page's URL, which
 * gives a session cookie), and for POSTs made with that cookie, a CSRF token bound to the session
 * and an {@code Origin} of the dashboard's own. Sessions and CSRF tokens are MACs under a key made
 * up for this dashboard, so nothing is kept per session and a restart ends every session.
 */
final class Access {

    static final String COOKIE = "reelay_session";
    static final String CSRF_HEADER = "X-Reelay-CSRF";

    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();
    /** The OS's randomness, for the token and the key: read on the thread that creates the dashboard. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] token;
    private final byte[] key = new byte[32];
    private final Set<String> allowedOrigins;
    /**
     * Session ids, drawn on event loops: a DRBG seeded here, once, so that drawing never reads the
     * OS's randomness (a blocking read) where it must not block.
     */
    private final SecureRandom sessions;

    Access(String token, List<String> allowedOrigins) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        RANDOM.nextBytes(key);
        try {
            this.sessions = SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no DRBG SecureRandom", e);
        }
        sessions.nextBytes(new byte[16]);
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        mac("warm-up"); // the providers' first lookup, here rather than on an event loop
    }

    /** A token of 32 random bytes, URL-safe. */
    static String newToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return URL_SAFE.encodeToString(b);
    }

    /** How a request proved who it is, if it did. */
    enum Proof {
        NONE,
        /** {@code Authorization: Bearer <token>}: a program, not a browser; no CSRF token needed. */
        BEARER,
        /** The session cookie: a browser; POSTs need the CSRF token and the Origin. */
        SESSION
    }

    Proof proof(HttpServerRequest request) {
        String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && tokenMatches(authorization.substring(7).strip())) {
            return Proof.BEARER;
        }
        return session(request) != null ? Proof.SESSION : Proof.NONE;
    }

    boolean tokenMatches(String given) {
        return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }

    /** The session id of a valid session cookie, or null. */
    String session(HttpServerRequest request) {
        List<Cookie> cookies = request.allCookies().get(COOKIE);
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            String v = c.value();
            int dot = v.indexOf('.');
            if (dot > 0 && MessageDigest.isEqual(mac("session|" + v.substring(0, dot)).getBytes(StandardCharsets.US_ASCII),
                    v.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
                return v.substring(0, dot);
            }
        }
        return null;
    }

    /** A new session cookie's value. */
    String newSession() {
        byte[] id = new byte[18];
        sessions.nextBytes(id);
        String sid = URL_SAFE.encodeToString(id);
        return sid + "." + mac("session|" + sid);
    }

    /** The CSRF token of a session. */
    String csrf(String session) {
        return mac("csrf|" + session);
    }

    /**
     * Why a POST must be refused (403), or null when it may go: made with the session cookie, it
     * needs the session's CSRF token and an Origin (or, lacking one, a Referer) of the dashboard's
     * own or an allowed one; with the bearer token, an Origin if present must be one of those too.
     */
    String refusal(HttpServerRequest request, Proof proof) {
        String origin = request.requestHeaders().get(HttpHeaderNames.ORIGIN);
        if (origin == null && proof == Proof.SESSION) {
            String referer = request.requestHeaders().get(HttpHeaderNames.REFERER);
            origin = referer == null ? null : originOf(referer);
        }
        if (origin != null && !ownOrAllowed(request, origin)) {
            return "a request from another origin (" + (origin.length() > 100 ? origin.substring(0, 100) : origin) + ")";
        }
        if (proof == Proof.BEARER) {
            return null;
        }
        if (origin == null) {
            return "a request without an Origin";
        }
        String session = session(request);
        String given = request.requestHeaders().get(CSRF_HEADER);
        if (session == null || given == null || !MessageDigest.isEqual(csrf(session).getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII))) {
            return "a request without this session's CSRF token (" + CSRF_HEADER + ")";
        }
        return null;
    }

    private boolean ownOrAllowed(HttpServerRequest request, String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        String host = request.requestHeaders().get(HttpHeaderNames.HOST);
        String scheme = request.scheme();
        return (host != null && o.equals((scheme + "://" + host).toLowerCase(Locale.ROOT))) || allowedOrigins.contains(o);
    }

    static String originOf(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return null;
        }
        int slash = url.indexOf('/', scheme + 3);
        return slash < 0 ? url : url.substring(0, slash);
    }

    private String mac(String what) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return URL_SAFE.encodeToString(mac.doFinal(what.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
