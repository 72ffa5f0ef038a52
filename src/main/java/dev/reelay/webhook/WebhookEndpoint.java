package dev.reelay.webhook;

import dev.reelay.internal.Checks;
import dev.reelay.internal.webhook.ReceiverText;
import dev.reelay.internal.webhook.Redaction;
import dev.reelay.internal.webhook.Signatures;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * One receiver of the webhook: where it is, how to authenticate to it, and how long and how
 * often to try. Values are checked when built.
 *
 * <p>Each attempt has its own timeout (30 s by default); all attempts together have a
 * deadline (5 minutes by default). Connection errors, timeouts, 408, 429 (waiting at least
 * its {@code Retry-After}) and 5xx are retried with the {@link #retry()} backoff; 400, 401,
 * 403, other 4xx and redirects are not (redirects are never followed).
 *
 * <pre>{@code
 * WebhookEndpoint endpoint = WebhookEndpoint.builder("https://ops.example.com/recordings/webhook/")
 *         .secret(System.getenv("WEBHOOK_SECRET"))        // whsec_…: Standard Webhooks signature
 *         .bearerToken(System.getenv("WEBHOOK_TOKEN"))    // Authorization: Bearer …
 *         .attemptTimeout(Duration.ofSeconds(10))
 *         .build();
 * }</pre>
 *
 * <p>Plain {@code http://} is accepted for loopback addresses only, unless
 * {@link Builder#allowInsecureHttp()} says otherwise. The token and secrets never appear in
 * logs, exceptions, results or {@code toString()}.
 *
 * <p>An endpoint is known in logs, results ({@link WebhookOutcome#endpoint()}) and the journal by
 * its {@link #displayName()}: the {@linkplain Builder#name(String) name} you give it, or else its
 * URL without user info, query string and, for a URL whose path is a secret (Slack, Discord,
 * Teams), without the path ({@link Builder#secretPath()}):
 *
 * <pre>{@code
 * WebhookEndpoint slack = WebhookEndpoint.builder(System.getenv("SLACK_WEBHOOK_URL"))  // …/services/T000/B000/XXXX
 *         .name("slack-ops")        // shown instead of the URL
 *         .secretPath()             // the URL shows as https://hooks.slack.com/services/…
 *         .build();
 * }</pre>
 *
 * <p>The journal matches deliveries by the display name: keep names stable. Renaming an endpoint
 * makes it a new one to the journal, so a recording still under way may be delivered to it once
 * more (with the same {@code webhook-id}).
 */
public final class WebhookEndpoint {

    private final URI url;
    private final String name;
    private final boolean secretPath;
    private final String displayUrl;
    private final String displayName;
    private final String bearerToken;
    private final List<byte[]> secrets;
    private final Duration attemptTimeout;
    private final Duration deadline;
    private final RetryBackoffSpec retry;
    private final boolean allowInsecureHttp;

    private WebhookEndpoint(Builder b) {
        this.secretPath = b.secretPath;
        this.url = parse(b.url, secretPath);
        this.allowInsecureHttp = b.allowInsecureHttp;
        this.displayUrl = Redaction.url(url, secretPath);
        this.name = b.name;
        this.displayName = name != null ? name : displayUrl;
        if ("http".equalsIgnoreCase(url.getScheme()) && !allowInsecureHttp && !Redaction.isLoopback(url.getHost())) {
            throw new IllegalArgumentException("webhook URL " + displayUrl + " is plain http to a host that is not "
                    + "loopback; use https, or allowInsecureHttp() to accept it");
        }
        this.bearerToken = b.bearerToken;
        this.secrets = List.copyOf(b.secrets);
        this.attemptTimeout = Checks.positive(b.attemptTimeout, "attemptTimeout");
        this.deadline = Checks.positive(b.deadline, "deadline");
        this.retry = Objects.requireNonNull(b.retry, "retry");
    }

    private static URI parse(String url, boolean secretPath) {
        Checks.notBlank(url, "webhook url");
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            // the message and cause would quote the URL, secret path and all
            throw new IllegalArgumentException("webhook url is not a valid URL: "
                    + (secretPath ? "(its path is secret)" : Redaction.url(url)));
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("webhook url must be an http(s) URL with a host, was "
                    + (secretPath ? Redaction.url(uri, true) : Redaction.url(url)));
        }
        return uri;
    }

    /** An endpoint with the default timeouts and retries. */
    public static WebhookEndpoint of(String url) {
        return builder(url).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** The URL requests go to. It may carry credentials; print {@link #displayUrl()} instead. */
    public URI url() {
        return url;
    }

    /**
     * The URL without user info or query string, and without the path after its first segment
     * for a {@linkplain Builder#secretPath() secret path}: safe to log.
     */
    public String displayUrl() {
        return displayUrl;
    }

    /** The name given with {@link Builder#name(String)}, if any. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /**
     * How logs, results and the journal know this endpoint: its name, or its {@link #displayUrl()}
     * when it has none. Secret-free; endpoints of one pipeline must differ in it.
     */
    public String displayName() {
        return displayName;
    }

    /** Whether the URL's path is a secret, shown only up to its first segment. */
    public boolean hasSecretPath() {
        return secretPath;
    }

    /** The token sent as {@code Authorization: Bearer …}, if any. */
    public Optional<String> bearerToken() {
        return Optional.ofNullable(bearerToken);
    }

    /** The signing keys (decoded {@code whsec_} secrets); more than one during a rotation. */
    public List<byte[]> signingKeys() {
        List<byte[]> copy = new ArrayList<>(secrets.size());
        for (byte[] s : secrets) {
            copy.add(s.clone());
        }
        return copy;
    }

    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    public Duration deadline() {
        return deadline;
    }

    public RetryBackoffSpec retry() {
        return retry;
    }

    public boolean allowsInsecureHttp() {
        return allowInsecureHttp;
    }

    @Override
    public String toString() {
        return "WebhookEndpoint{" + (name == null ? "" : "name=" + name + ", ") + "url=" + displayUrl
                + ", token=" + (bearerToken == null ? "none" : "(set)")
                + ", secrets=" + secrets.size() + ", attemptTimeout=" + attemptTimeout + ", deadline=" + deadline + "}";
    }

    /** Collects an endpoint's settings; {@link #build()} checks them. */
    public static final class Builder {
        private final String url;
        private String name;
        private boolean secretPath;
        private String bearerToken;
        private final List<byte[]> secrets = new ArrayList<>();
        private Duration attemptTimeout = Duration.ofSeconds(30);
        private Duration deadline = Duration.ofMinutes(5);
        private RetryBackoffSpec retry = Retry.backoff(4, Duration.ofSeconds(1))
                .maxBackoff(Duration.ofSeconds(30))
                .jitter(0.5);
        private boolean allowInsecureHttp;

        private Builder(String url) {
            this.url = url;
        }

        /**
         * A name for logs, results, the journal and dashboards, in place of the URL, e.g.
         * {@code "ops"}: at most 100 characters, no control characters. Keep it stable: the
         * journal matches deliveries by it.
         */
        public Builder name(String name) {
            String n = Checks.notBlank(name, "name").strip();
            if (n.length() > 100) {
                throw new IllegalArgumentException("an endpoint name has at most 100 characters, this one has " + n.length());
            }
            if (!ReceiverText.clean(n, 100).equals(n)) {
                throw new IllegalArgumentException("an endpoint name must not hold control characters or anything "
                        + "shaped like a credential: " + ReceiverText.clean(n, 100));
            }
            this.name = n;
            return this;
        }

        /**
         * The URL's path is a secret (Slack's {@code …/services/T000/B000/XXXX}, Discord's
         * {@code …/api/webhooks/id/token}): it is shown only up to its first segment
         * ({@code https://hooks.slack.com/services/…}) in logs, results, the journal and
         * {@code toString()}, and masked in the receiver's answers.
         */
        public Builder secretPath() {
            this.secretPath = true;
            return this;
        }

        /** Sent as {@code Authorization: Bearer <token>}. */
        public Builder bearerToken(String token) {
            this.bearerToken = Checks.notBlank(token, "bearerToken");
            return this;
        }

        /**
         * A Standard Webhooks signing secret: {@code whsec_} followed by base64, or the base64
         * alone, as the official libraries take it. Call it again to sign with several secrets at
         * once during a rotation.
         */
        public Builder secret(String secret) {
            secrets.add(Signatures.decodeSecret(secret));
            return this;
        }

        /** The time one request may take, connection and answer included. Default 30 s. */
        public Builder attemptTimeout(Duration timeout) {
            this.attemptTimeout = timeout;
            return this;
        }

        /** The time all attempts together may take. Default 5 minutes. */
        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /** The backoff between attempts, e.g. {@code Retry.backoff(6, Duration.ofSeconds(2))}. */
        public Builder retry(RetryBackoffSpec retry) {
            this.retry = retry;
            return this;
        }

        /** Accepts plain {@code http://} to hosts other than loopback. */
        public Builder allowInsecureHttp() {
            this.allowInsecureHttp = true;
            return this;
        }

        public WebhookEndpoint build() {
            return new WebhookEndpoint(this);
        }
    }
}
