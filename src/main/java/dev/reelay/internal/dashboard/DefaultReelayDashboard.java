package dev.reelay.internal.dashboard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reelay.RecordingPipeline;
import dev.reelay.ReelayException;
import dev.reelay.UserInfo;
import dev.reelay.dashboard.DashboardOptions;
import dev.reelay.dashboard.DashboardServer;
import dev.reelay.dashboard.ReelayDashboard;
import dev.reelay.internal.webhook.Version;
import dev.reelay.webhook.WebhookTest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The dashboard: its routes (the page, its files, the JSON API, the live stream), each behind the
 * access token, with the security headers on every answer; the reads in {@link ReadModel}, the
 * buttons in {@link Actions}, the live view in {@link LiveView}.
 */
public final class DefaultReelayDashboard implements ReelayDashboard {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.dashboard");
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int MAX_BODY = 16 * 1024;

    /** No inline script or style, nothing from elsewhere, never in a frame. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final RecordingPipeline pipeline;
    private final DashboardOptions options;
    private final String token;
    private final boolean tokenMadeUp;
    private final Access access;
    private final Assets assets;
    private final ReadModel reads;
    private final Actions actions;
    private final LiveView live;

    public DefaultReelayDashboard(RecordingPipeline pipeline, DashboardOptions options) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.options = Objects.requireNonNull(options, "options");
        this.tokenMadeUp = options.accessToken().isEmpty();
        this.token = options.accessToken().orElseGet(Access::newToken);
        this.access = new Access(token, options.allowedOrigins());
        this.assets = new Assets();
        this.reads = new ReadModel(pipeline, options.chartWindow());
        this.actions = new Actions(pipeline, options.testWebhookPolicy(), options.actionWait());
        this.live = new LiveView(pipeline);
    }

    @Override
    public DashboardServer start() {
        DisposableServer server = HttpServer.create()
                .host(options.host())
                .port(options.port())
                .route(mount(""))
                .bindNow();
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        String url = "http://" + host + ":" + server.port() + "/";
        Running running = new Running(server, url, url.substring(0, url.length() - 1) + loginPath(""));
        if (tokenMadeUp) {
            log.info("Reelay dashboard: open {}", running.loginUrl());
        } else {
            log.info("Reelay dashboard at {} (open it with its access token: {}?token=…)", url, url);
        }
        return running;
    }

    @Override
    public String loginPath(String prefix) {
        return normalize(prefix) + "/?token=" + token;
    }

    private final class Running implements DashboardServer {
        private final DisposableServer server;
        private final String url;
        private final String loginUrl;

        Running(DisposableServer server, String url, String loginUrl) {
            this.server = server;
            this.url = url;
            this.loginUrl = loginUrl;
        }

        @Override
        public String url() {
            return url;
        }

        @Override
        public String loginUrl() {
            return loginUrl;
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public boolean isDisposed() {
            return server.isDisposed();
        }

        @Override
        public void close() {
            live.close(); // first: its open streams end, so that the server does not wait for them
            server.disposeNow();
            DefaultReelayDashboard.this.close();
        }

        @Override
        public String toString() {
            return "DashboardServer{" + url + "}";
        }
    }

    @Override
    public void close() {
        live.close();
        actions.close();
    }

    static String normalize(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty() && !p.startsWith("/")) {
            p = "/" + p;
        }
        if (!p.matches("[A-Za-z0-9/_.-]*")) {
            throw new IllegalArgumentException("a dashboard's prefix is a plain path, like /reelay: " + prefix);
        }
        return p;
    }

    // ---- routes

    @FunctionalInterface
    interface Handler {
        Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response, Access.Proof proof);
    }

    @Override
    public Consumer<HttpServerRoutes> mount(String prefix) {
        String p = normalize(prefix);
        return routes -> routes
                .get(p + "/", this::page)
                .get(p + "/assets/{name}", secured((req, res, proof) -> asset(req, res)))
                .get(p + "/api/session", secured(this::session))
                .get(p + "/api/overview", secured((req, res, proof) -> json(res, reads.overview())))
                .get(p + "/api/recordings", secured((req, res, proof) -> list(req, res)))
                .get(p + "/api/recordings/{id}", secured((req, res, proof) -> withId(req, res, id ->
                        json(res, reads.recording(id).switchIfEmpty(Mono.error(() -> new NotFound("recording " + id
                                + " is not in the journal (never accepted, or pruned after completion)")))))))
                .get(p + "/api/recordings/{id}/attempts", secured((req, res, proof) -> withId(req, res, id ->
                        json(res, reads.attempts(id)))))
                .get(p + "/api/live", secured((req, res, proof) -> live.stream(res)))
                .get(p + "/api/live/snapshot", secured((req, res, proof) -> json(res, Mono.fromSupplier(live::snapshot))))
                .post(p + "/api/recordings/{id}/retry", posted((req, res, body) -> withId(req, res, id ->
                        json(res, actions.retry(id).map(DefaultReelayDashboard::actionResult)))))
                .post(p + "/api/recordings/{id}/resend", posted((req, res, body) -> withId(req, res, id ->
                        json(res, Mono.fromCallable(() -> required(body, "endpoint"))
                                .flatMap(endpoint -> actions.resend(id, endpoint))
                                .map(DefaultReelayDashboard::actionResult)))))
                .post(p + "/api/endpoints/enable", posted((req, res, body) ->
                        json(res, Mono.fromCallable(() -> required(body, "endpoint"))
                                .flatMap(endpoint -> actions.enable(endpoint)
                                        .then(Mono.fromSupplier(() -> JsonOut.object(j -> j.field("enabled", endpoint))))))))
                .post(p + "/api/test-webhook", posted((req, res, body) ->
                        json(res, Mono.defer(() -> actions.test(body.get("endpoint"), body.get("url"),
                                        new UserInfo(body.getOrDefault("username", "test"),
                                                body.getOrDefault("email", "test@example.com"))))
                                .map(DefaultReelayDashboard::testResult))));
    }

    /** The page: with a valid {@code ?token=}, a session cookie and a redirect without it; else it needs a session. */
    private Publisher<Void> page(HttpServerRequest request, HttpServerResponse response) {
        headers(response);
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        QueryStringDecoder query = new QueryStringDecoder(uri);
        List<String> given = query.parameters().get("token");
        if (given != null && !given.isEmpty()) {
            if (!access.tokenMatches(given.get(0))) {
                return unauthorizedPage(response);
            }
            DefaultCookie cookie = new DefaultCookie(Access.COOKIE, access.newSession());
            cookie.setHttpOnly(true);
            cookie.setPath(path.endsWith("/") ? path : path + "/");
            cookie.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
            return response.addCookie(cookie).status(HttpResponseStatus.SEE_OTHER)
                    .header(HttpHeaderNames.LOCATION, path.endsWith("/") ? path : path + "/").send();
        }
        if (!path.endsWith("/")) {
            return response.status(HttpResponseStatus.MOVED_PERMANENTLY).header(HttpHeaderNames.LOCATION, path + "/").send();
        }
        if (access.proof(request) == Access.Proof.NONE) {
            return unauthorizedPage(response);
        }
        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .sendByteArray(Mono.just(assets.index()));
    }

    private static Publisher<Void> unauthorizedPage(HttpServerResponse response) {
        return response.status(HttpResponseStatus.UNAUTHORIZED)
                .header(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .sendString(Mono.just("<!doctype html><meta charset=utf-8><title>Reelay</title>"
                        + "<p>This dashboard needs its access token: open the URL with <code>?token=…</code> that the "
                        + "application printed when it started the dashboard (DashboardServer.loginUrl()).</p>"));
    }

    private Handler headersFirst(Handler h) {
        return (req, res, proof) -> h.handle(req, headers(res), proof);
    }

    /** Every answer: the CSP, no sniffing, no framing, no referrer to elsewhere, nothing cached. */
    static HttpServerResponse headers(HttpServerResponse response) {
        return response.header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "same-origin")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    /** A GET that needs the token or a session. */
    private java.util.function.BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> secured(Handler h) {
        Handler withHeaders = headersFirst(h);
        return (req, res) -> {
            Access.Proof proof = access.proof(req);
            if (proof == Access.Proof.NONE) {
                headers(res);
                return error(res, HttpResponseStatus.UNAUTHORIZED, "the access token is missing or wrong")
                        .then(Mono.empty());
            }
            return withHeaders.handle(req, res, proof);
        };
    }

    @FunctionalInterface
    interface PostHandler {
        Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response, Map<String, String> body);
    }

    /** A POST: the token or a session, and for a session its CSRF token and the dashboard's own Origin. */
    private java.util.function.BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> posted(PostHandler h) {
        return secured((req, res, proof) -> {
            String refused = access.refusal(req, proof);
            if (refused != null) {
                log.warn("Dashboard: refused {} to {}", refused, req.path());
                return error(res, HttpResponseStatus.FORBIDDEN, "refused: " + refused);
            }
            return body(req).flatMap(body -> Mono.from(h.handle(req, res, body)))
                    .onErrorResume(IllegalArgumentException.class, e -> error(res, HttpResponseStatus.BAD_REQUEST,
                            e.getMessage()));
        });
    }

    private Publisher<Void> session(HttpServerRequest req, HttpServerResponse res, Access.Proof proof) {
        String session = access.session(req);
        return json(res, Mono.fromSupplier(() -> JsonOut.object(j -> {
            j.field("csrfToken", session == null ? null : access.csrf(session));
            j.field("version", Version.VERSION);
            j.field("chartHours", options.chartWindow().toMinutes() / 60.0);
            j.field("live", live.available());
            j.field("testPayloadTitle", WebhookTest.TITLE);
            j.array("endpoints", a -> {
                for (var e : reads.endpoints()) {
                    a.element(x -> x.field("name", e.displayName()).field("url", e.displayUrl()));
                }
            });
        })));
    }

    private Publisher<Void> asset(HttpServerRequest req, HttpServerResponse res) {
        Assets.Asset a = assets.get(req.param("name"));
        if (a == null) {
            return res.status(HttpResponseStatus.NOT_FOUND).send();
        }
        return res.header(HttpHeaderNames.CONTENT_TYPE, a.contentType()).sendByteArray(Mono.just(a.bytes()));
    }

    private Publisher<Void> list(HttpServerRequest req, HttpServerResponse res) {
        Map<String, List<String>> q = new QueryStringDecoder(req.uri()).parameters();
        return json(res, Mono.defer(() -> {
            int limit = q.containsKey("limit") ? Integer.parseInt(first(q, "limit")) : 50;
            return reads.list(first(q, "state"), first(q, "endpoint"), first(q, "q"), limit, first(q, "after"));
        }));
    }

    private static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static Publisher<Void> withId(HttpServerRequest req, HttpServerResponse res,
                                          java.util.function.LongFunction<Publisher<Void>> then) {
        long id;
        try {
            id = Long.parseLong(req.param("id"));
        } catch (NumberFormatException e) {
            return error(res, HttpResponseStatus.BAD_REQUEST, "not a recording id");
        }
        return then.apply(id);
    }

    /** Sends the JSON; a failure is a JSON error with the status its kind calls for. */
    private static Publisher<Void> json(HttpServerResponse res, Mono<String> body) {
        return body.flatMap(json -> Mono.from(res.header(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                        .sendString(Mono.just(json))))
                .onErrorResume(NotFound.class, e -> error(res, HttpResponseStatus.NOT_FOUND, e.getMessage()))
                .onErrorResume(IllegalArgumentException.class, e -> error(res, HttpResponseStatus.BAD_REQUEST, e.getMessage()))
                .onErrorResume(UnsupportedOperationException.class, e -> error(res, HttpResponseStatus.NOT_IMPLEMENTED,
                        e.getMessage()))
                .onErrorResume(ReelayException.class, e -> error(res, e.getMessage() != null
                        && e.getMessage().contains("is not in the outbox") ? HttpResponseStatus.NOT_FOUND
                        : HttpResponseStatus.CONFLICT, e.getMessage()))
                .onErrorResume(e -> {
                    log.warn("Dashboard: {} failed: {}", res.path(), e.toString());
                    return error(res, HttpResponseStatus.INTERNAL_SERVER_ERROR, "the dashboard failed: " + e.getClass().getSimpleName());
                });
    }

    private static Mono<Void> error(HttpServerResponse res, HttpResponseStatus status, String message) {
        return Mono.from(res.status(status).header(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .sendString(Mono.just(JsonOut.object(j -> j.field("error", message)))));
    }

    private static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message, null, false, false);
        }
    }

    private static String actionResult(java.util.Optional<dev.reelay.PipelineResult> result) {
        return JsonOut.object(j -> {
            j.field("done", result.isPresent());
            if (result.isPresent()) {
                j.object("result", r -> ReadModel.result(r, result.get()));
            }
        });
    }

    private static String testResult(WebhookTest t) {
        return JsonOut.object(j -> {
            j.field("test", true).field("endpoint", t.endpoint()).field("body", t.body())
                    .field("delivered", t.delivered()).field("state", t.outcome().state().name())
                    .field("error", t.outcome().error());
            j.object("attempt", a -> ReadModel.attempt(a, t.attempt()));
        });
    }

    /** The POST's JSON body as string fields; at most 16 KiB. */
    private static Mono<Map<String, String>> body(HttpServerRequest req) {
        return req.receive().asByteArray()
                .reduce(new ByteArrayOutputStream(), (out, bytes) -> {
                    if (out.size() + bytes.length > MAX_BODY) {
                        throw new IllegalArgumentException("a request body has at most " + MAX_BODY + " bytes");
                    }
                    out.write(bytes, 0, bytes.length);
                    return out;
                })
                .map(out -> fields(out.toByteArray()))
                .defaultIfEmpty(Map.of());
    }

    private static Map<String, String> fields(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        if (body.length == 0) {
            return fields;
        }
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the body is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_STRING) {
                    String s = p.getText();
                    if (!s.isBlank()) {
                        fields.put(name, s.strip());
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        return fields;
    }

    private static String required(Map<String, String> body, String name) {
        String v = body.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the body names no " + name);
        }
        return v;
    }

    @Override
    public String toString() {
        return "ReelayDashboard{" + options + "}";
    }
}
