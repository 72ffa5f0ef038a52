package dev.reelay.dashboard;

import dev.reelay.internal.Checks;
import dev.reelay.webhook.NetworkPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link ReelayDashboard} listens and who may use it. Immutable; checked when built.
 *
 * <pre>{@code
 * DashboardOptions options = DashboardOptions.builder()
 *         .port(8077)                                   // the default; 0 picks a free port
 *         .accessToken(System.getenv("REELAY_DASHBOARD_TOKEN"))
 *         .build();
 * }</pre>
 *
 * <p>By default the dashboard listens on 127.0.0.1 only, port {@value #DEFAULT_PORT}, with an
 * access token made up when it starts and logged once, as the URL to open.
 */
public final class DashboardOptions {

    /** The port when none is given. */
    public static final int DEFAULT_PORT = 8077;

    private final String host;
    private final int port;
    private final String accessToken;
    private final NetworkPolicy testWebhookPolicy;
    private final Duration chartWindow;
    private final List<String> allowedOrigins;
    private final Duration actionWait;

    private DashboardOptions(Builder b) {
        this.host = Checks.notBlank(b.host, "host").strip();
        if (b.port < 0 || b.port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + b.port);
        }
        this.port = b.port;
        if (b.accessToken != null && b.accessToken.strip().length() < 16) {
            throw new IllegalArgumentException("an access token has at least 16 characters; leave it out to have one made up");
        }
        this.accessToken = b.accessToken == null ? null : b.accessToken.strip();
        this.testWebhookPolicy = Objects.requireNonNull(b.testWebhookPolicy, "testWebhookPolicy");
        this.chartWindow = Checks.positive(b.chartWindow, "chartWindow");
        if (chartWindow.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("chartWindow is at most 7 days, was " + chartWindow);
        }
        this.allowedOrigins = List.copyOf(b.allowedOrigins);
        this.actionWait = Checks.positive(b.actionWait, "actionWait");
    }

    /** Options with every default: 127.0.0.1:{@value #DEFAULT_PORT}, a token made up at start. */
    public static DashboardOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The address to listen on; 127.0.0.1 by default. */
    public String host() {
        return host;
    }

    /** The port to listen on; 0 for a free one. */
    public int port() {
        return port;
    }

    /** The access token given, if one was; otherwise one is made up when the dashboard is created. */
    public Optional<String> accessToken() {
        return Optional.ofNullable(accessToken);
    }

    /**
     * Where a test webhook to a URL typed on the page may go; {@link NetworkPolicy#publicOnly()} by
     * default. Test webhooks to the pipeline's own endpoints follow the pipeline's policy.
     */
    public NetworkPolicy testWebhookPolicy() {
        return testWebhookPolicy;
    }

    /** How far back the overview's charts and endpoint health look; 6 hours by default. */
    public Duration chartWindow() {
        return chartWindow;
    }

    /**
     * Origins besides the dashboard's own whose pages may POST to it (a reverse proxy's public
     * origin, {@code https://ops.example.com}); none by default.
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /**
     * How long a button's request (retry, resend) waits for the run's result before it answers that
     * the run goes on (the page then follows the recording); 10 seconds by default. The run is never
     * cut short by its request.
     */
    public Duration actionWait() {
        return actionWait;
    }

    /** Never shows the access token. */
    @Override
    public String toString() {
        return "DashboardOptions{host=" + host + ", port=" + port + ", accessToken=" + (accessToken == null ? "(made up)" : "(set)")
                + ", chartWindow=" + chartWindow + ", allowedOrigins=" + allowedOrigins + "}";
    }

    /** Collects the options; {@link #build()} checks them. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private String accessToken;
        private NetworkPolicy testWebhookPolicy = NetworkPolicy.publicOnly();
        private Duration chartWindow = Duration.ofHours(6);
        private final List<String> allowedOrigins = new ArrayList<>();
        private Duration actionWait = Duration.ofSeconds(10);

        private Builder() {
        }

        public Builder actionWait(Duration wait) {
            this.actionWait = wait;
            return this;
        }

        /**
         * The address to listen on. Anything but loopback exposes the dashboard (behind its token) to
         * the network: put it behind TLS (a reverse proxy) if you do.
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The token every request must carry (at least 16 characters); made up at start when not given. */
        public Builder accessToken(String token) {
            this.accessToken = token;
            return this;
        }

        public Builder testWebhookPolicy(NetworkPolicy policy) {
            this.testWebhookPolicy = policy;
            return this;
        }

        public Builder chartWindow(Duration window) {
            this.chartWindow = window;
            return this;
        }

        /** An origin ({@code https://ops.example.com}) whose pages may POST to the dashboard too. */
        public Builder allowOrigin(String origin) {
            String o = Checks.notBlank(origin, "origin").strip();
            if (!o.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("an origin is scheme://host[:port], without a path: " + o);
            }
            allowedOrigins.add(o.toLowerCase(java.util.Locale.ROOT));
            return this;
        }

        public DashboardOptions build() {
            return new DashboardOptions(this);
        }
    }
}
