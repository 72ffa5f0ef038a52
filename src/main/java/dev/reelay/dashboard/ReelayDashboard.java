package dev.reelay.dashboard;

import dev.reelay.RecordingPipeline;
import dev.reelay.internal.dashboard.DefaultReelayDashboard;
import java.util.function.Consumer;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * A status page for a pipeline, served from the jar: every recording and delivery with the attempt
 * log, the journal's backlog, endpoint health, charts of the last hours, uploads in flight as they
 * go, and buttons to retry, resend, enable an endpoint and send a test webhook. Every page reads a
 * JSON API, and every button calls the same public API a host would ({@link RecordingPipeline#retry},
 * {@link RecordingPipeline#resend}, {@link RecordingPipeline#enableEndpoint},
 * {@link dev.reelay.webhook.WebhookClient#sendTest}).
 *
 * <pre>{@code
 * try (DashboardServer dashboard = ReelayDashboard.create(pipeline).start()) {
 *     System.out.println("Dashboard: " + dashboard.loginUrl());
 *     ...
 * }
 * }</pre>
 *
 * <p>Safe by default: it listens on 127.0.0.1 only; every request needs the access token (a
 * session cookie after the first), every POST a token bound to that session and an {@code Origin}
 * of the dashboard's own; pages carry a Content-Security-Policy with no inline script, and show
 * what recordings and receivers said as text only; no secret, token, signature or presigned query
 * string is ever on a page or in an answer. Test webhooks to typed URLs go only where
 * {@link DashboardOptions#testWebhookPolicy()} allows.
 *
 * <p>Or mount it in a Reactor Netty server of your own, under a path:
 *
 * <pre>{@code
 * ReelayDashboard dashboard = ReelayDashboard.create(pipeline, options);
 * DisposableServer server = HttpServer.create().port(8080)
 *         .route(routes -> {
 *             routes.get("/health", (req, res) -> res.sendString(Mono.just("ok")));
 *             dashboard.mount("/reelay").accept(routes);
 *         })
 *         .bindNow();
 * ...
 * server.disposeNow();
 * dashboard.close();
 * }</pre>
 */
public interface ReelayDashboard extends AutoCloseable {

    /** A dashboard of this pipeline with the default options. Listens on nothing yet. */
    static ReelayDashboard create(RecordingPipeline pipeline) {
        return create(pipeline, DashboardOptions.defaults());
    }

    /** A dashboard of this pipeline. Listens on nothing yet; a token is made up now unless one was given. */
    static ReelayDashboard create(RecordingPipeline pipeline, DashboardOptions options) {
        return new DefaultReelayDashboard(pipeline, options);
    }

    /**
     * Listens on the options' host and port (blocking until bound) and returns the running server;
     * when the token was made up, logs once, at INFO, the URL to open.
     */
    DashboardServer start();

    /**
     * The dashboard's routes under {@code prefix} ({@code "/reelay"}, or {@code ""} for the root), for
     * {@code HttpServer.route(…)} of a server of yours. The page is at {@code prefix + "/"}.
     */
    Consumer<HttpServerRoutes> mount(String prefix);

    /** The URL path and query that open the dashboard under {@code prefix} with the token ({@code /reelay/?token=…}). */
    String loginPath(String prefix);

    /** Releases what the dashboard holds (its test webhooks' connections, its live view); the pipeline goes on. */
    @Override
    void close();
}
