package dev.reelay.internal.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.reelay.event.WebhookAttempted;
import dev.reelay.internal.telemetry.DeliveryWatch;
import dev.reelay.internal.Json;
import dev.reelay.webhook.ReceiverReply;
import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import dev.reelay.outbox.Attempt;
import dev.reelay.webhook.WebhookTest;
import dev.reelay.webhook.WebhookClient;
import dev.reelay.webhook.NetworkPolicy;
import dev.reelay.webhook.WebhookEndpoint;
import dev.reelay.webhook.WebhookOutcome;
import dev.reelay.webhook.WebhookOutcome.State;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * POSTs webhook bodies with Reactor Netty: one attempt at a time, each with its own timeout,
 * retries of what may go through later, an overall deadline, and an outcome (never an error)
 * at the end. Logs with the original system's markers. Connects only where the
 * {@link NetworkPolicy} allows; the receiver's words reach logs, outcomes and exceptions only
 * through {@link ReceiverText}.
 */
public final class WebhookSender implements WebhookClient {

    private static final Logger log = LoggerFactory.getLogger("dev.reelay.webhook");
    private static final int MAX_REPLY_BYTES = 64 * 1024;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Clock clock;
    private final int maxConnections;
    private final NetworkPolicy policy;
    /** Read on the creating thread, when the policy needs them: a host's own addresses are refused too. */
    private final Set<InetAddress> ownAddresses;
    private volatile PolicyResolverGroup resolver;
    /** Read once here, on the creating thread: its resource read must not happen on an I/O thread. */
    private final String userAgent = Version.userAgent();
    /** The event loops to run on (a pipeline's, shared with its S3 client); null for Reactor Netty's global ones. */
    private final LoopResources loops;
    private volatile ConnectionProvider provider;
    private volatile HttpClient client;
    private boolean closed;

    public WebhookSender(Clock clock, int maxConnections) {
        this(clock, maxConnections, NetworkPolicy.allowAll());
    }

    public WebhookSender(Clock clock, int maxConnections, NetworkPolicy policy) {
        this(clock, maxConnections, policy, null);
    }

    /** A sender whose connections run on {@code loops}, or on Reactor Netty's global loops when null. */
    public WebhookSender(Clock clock, int maxConnections, NetworkPolicy policy, LoopResources loops) {
        this.clock = clock;
        this.maxConnections = maxConnections;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ownAddresses = policy.allowsAll() ? Set.of() : PolicyResolverGroup.ownAddresses();
        this.loops = loops;
    }

    @Override
    public Mono<WebhookOutcome> send(WebhookEndpoint endpoint, RecordingMetadata metadata) {
        return Mono.defer(() -> {
            byte[] body = metadata.toJson();
            return deliver(endpoint, metadata.recordingId(), Signatures.webhookId(metadata.recordingId(), body), body);
        });
    }

    /** Delivers {@code body} to {@code endpoint}; resolves to how it ended, never to an error. */
    public Mono<WebhookOutcome> deliver(WebhookEndpoint endpoint, long recordingId, String webhookId, byte[] body) {
        return deliver(endpoint, recordingId, webhookId, body, DeliveryWatch.NONE, AttemptLog.NONE);
    }

    /** Where each attempt of a delivery is told as it ends (the journal's attempt log); must not fail. */
    @FunctionalInterface
    public interface AttemptLog {
        AttemptLog NONE = a -> Mono.empty();

        Mono<Void> attempted(Attempt attempt);
    }

    /**
     * Delivers {@code body} to {@code endpoint}, telling {@code watch} of each attempt (whose request
     * carries the headers the watch gives, a trace's) and {@code attemptLog} of each as it ends (before
     * the next starts); resolves to how it ended, never to an error.
     */
    public Mono<WebhookOutcome> deliver(WebhookEndpoint endpoint, long recordingId, String webhookId, byte[] body,
                                        DeliveryWatch watch, AttemptLog attemptLog) {
        return deliver(endpoint, recordingId, webhookId, body, watch, attemptLog, endpoint.retry());
    }

    @Override
    public Mono<WebhookTest> sendTest(WebhookEndpoint endpoint, UserInfo user) {
        return Mono.defer(() -> {
            byte[] body = WebhookTest.payload(user, clock.instant()).toJson();
            AtomicReference<Attempt> attempt = new AtomicReference<>();
            return deliver(endpoint, WebhookTest.RECORDING_ID, Signatures.webhookId(WebhookTest.RECORDING_ID, body), body,
                    DeliveryWatch.NONE, a -> Mono.fromRunnable(() -> attempt.set(a)), Retry.backoff(0, Duration.ofMillis(1)))
                    .map(outcome -> new WebhookTest(endpoint.displayName(), new String(body, StandardCharsets.UTF_8),
                            attempt.get() != null ? attempt.get() : notMade(endpoint, webhookId(body), outcome), outcome));
        });
    }

    private static String webhookId(byte[] body) {
        return Signatures.webhookId(WebhookTest.RECORDING_ID, body);
    }

    /** The attempt of a test cut short before it ended (its deadline): what is known of it. */
    private Attempt notMade(WebhookEndpoint endpoint, String webhookId, WebhookOutcome outcome) {
        return new Attempt(WebhookTest.RECORDING_ID, Attempt.Kind.WEBHOOK, endpoint.displayName(), 1, clock.instant(),
                Duration.ZERO, Attempt.Outcome.TIMEOUT, outcome.statusCode(), 1, 0, webhookId, Map.of(), null,
                outcome.error());
    }

    private Mono<WebhookOutcome> deliver(WebhookEndpoint endpoint, long recordingId, String webhookId, byte[] body,
                                         DeliveryWatch watch, AttemptLog attemptLog, RetryBackoffSpec retry) {
        return Mono.defer(() -> {
            AtomicInteger attempts = new AtomicInteger();
            AtomicReference<Throwable> last = new AtomicReference<>();
            AtomicReference<DeliveryWatch.Attempt> current = new AtomicReference<>(DeliveryWatch.Attempt.NONE);
            String where = endpoint.displayName();
            String shown = label(endpoint);
            List<String> secrets = secretsOf(endpoint);
            return Mono.defer(() -> {
                        int n = attempts.incrementAndGet();
                        DeliveryWatch.Attempt attempt = watch.attempt(n);
                        current.set(attempt);
                        return logged(endpoint, recordingId, webhookId, body, n, secrets, attempt.headers(), attemptLog);
                    })
                    .doOnNext(reply -> current.get().ended(reply.status, WebhookAttempted.Result.ANSWERED, null))
                    .doOnError(e -> {
                        last.set(e);
                        logFailure(shown, recordingId, e);
                        ended(current.get(), e);
                    })
                    .doOnCancel(() -> current.get().ended(0, WebhookAttempted.Result.CANCELLED, "cancelled"))
                    .retryWhen(retry(retry))
                    .timeout(endpoint.deadline())
                    .map(reply -> {
                        log.info("✅ Webhook sent successfully to {} (recording {}, {} {}, attempt {})", shown,
                                recordingId, reply.status, reply.reply == null ? "" : reply.reply.action(), attempts.get());
                        return new WebhookOutcome(where, webhookId, State.DELIVERED, reply.status, attempts.get(),
                                reply.reply, null);
                    })
                    .onErrorResume(e -> {
                        Throwable cause = e instanceof TimeoutException && last.get() != null ? last.get() : e;
                        WebhookOutcome outcome = failed(where, webhookId, attempts.get(), cause,
                                e instanceof TimeoutException && e != last.get());
                        log.warn("⚠️ Webhook failed but upload succeeded: recording {} to {}: {}", recordingId, shown,
                                outcome.error());
                        return Mono.just(outcome);
                    });
        });
    }

    /** Tells the attempt's watch how it failed: the receiver's status, or what kept it from answering. */
    private static void ended(DeliveryWatch.Attempt attempt, Throwable e) {
        if (refusal(e) != null) {
            attempt.ended(0, WebhookAttempted.Result.REFUSED, refusal(e).getMessage());
        } else if (e instanceof WebhookStatusException) {
            attempt.ended(((WebhookStatusException) e).status, WebhookAttempted.Result.ANSWERED, null);
        } else if (e instanceof TimeoutException) {
            attempt.ended(0, WebhookAttempted.Result.TIMEOUT, "no answer in time");
        } else {
            attempt.ended(0, WebhookAttempted.Result.CONNECTION_FAILED, describe(e));
        }
    }

    /** How log lines name an endpoint: {@code ops (https://ops.example.com/hook)}, or the URL alone. */
    static String label(WebhookEndpoint endpoint) {
        return endpoint.name().map(n -> n + " (" + endpoint.displayUrl() + ")").orElse(endpoint.displayUrl());
    }

    /** What of an endpoint a receiver could echo that must not be shown: its token, its secret path, its URL's credentials. */
    static List<String> secretsOf(WebhookEndpoint endpoint) {
        List<String> secrets = new ArrayList<>();
        endpoint.bearerToken().ifPresent(secrets::add);
        URI url = endpoint.url();
        if (url.getRawUserInfo() != null) {
            secrets.add(url.getRawUserInfo());
            secrets.add(url.getUserInfo());
        }
        if (url.getRawQuery() != null) {
            secrets.add(url.getRawQuery());
            secrets.add(url.getQuery());
        }
        String path = url.getRawPath();
        if (endpoint.hasSecretPath() && path != null) {
            String kept = Redaction.firstSegment(path);
            String hidden = path.substring(Math.min(path.length(), kept.length() - 1));
            secrets.add(hidden);
            try {
                secrets.add(URLDecoder.decode(hidden, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException notDecodable) {
                // the raw form is masked; there is no other
            }
        }
        // longest first, so that a secret inside another is not masked half
        secrets.sort((a, b) -> Integer.compare(b == null ? 0 : b.length(), a == null ? 0 : a.length()));
        return secrets;
    }

    /** One attempt under its timeout, told to the attempt log as it ends, whichever way. */
    private Mono<Answer> logged(WebhookEndpoint endpoint, long recordingId, String webhookId, byte[] body, int n,
                                List<String> secrets, Map<String, String> traceHeaders, AttemptLog attemptLog) {
        if (attemptLog == AttemptLog.NONE) {
            return attempt(endpoint, recordingId, webhookId, body, n, secrets, traceHeaders, new LinkedHashMap<>())
                    .timeout(endpoint.attemptTimeout());
        }
        java.time.Instant started = clock.instant();
        long t0 = System.nanoTime();
        Map<String, String> sent = new LinkedHashMap<>();
        return attempt(endpoint, recordingId, webhookId, body, n, secrets, traceHeaders, sent)
                .timeout(endpoint.attemptTimeout())
                .flatMap(answer -> attemptLog.attempted(new Attempt(recordingId, Attempt.Kind.WEBHOOK, endpoint.displayName(),
                        n, started, Duration.ofNanos(System.nanoTime() - t0), Attempt.Outcome.SUCCEEDED, answer.status, 1,
                        body.length, webhookId, sent, answer.excerpt, null)).thenReturn(answer))
                .onErrorResume(e -> attemptLog.attempted(failedAttempt(endpoint, recordingId, webhookId, body, n, started,
                        Duration.ofNanos(System.nanoTime() - t0), sent, e)).then(Mono.error(e)));
    }

    private Attempt failedAttempt(WebhookEndpoint endpoint, long recordingId, String webhookId, byte[] body, int n,
                                  java.time.Instant started, Duration took, Map<String, String> sent, Throwable e) {
        Attempt.Outcome outcome;
        int status = 0;
        String answer = null;
        String error;
        PolicyResolverGroup.PolicyRefusal refused = refusal(e);
        if (refused != null) {
            outcome = Attempt.Outcome.REFUSED;
            error = refused.getMessage() + "; not sent";
        } else if (e instanceof WebhookStatusException) {
            WebhookStatusException s = (WebhookStatusException) e;
            outcome = Attempt.Outcome.ANSWERED;
            status = s.status;
            answer = s.excerpt;
            error = null;
        } else if (e instanceof TimeoutException) {
            outcome = Attempt.Outcome.TIMEOUT;
            error = "no answer within " + endpoint.attemptTimeout().toMillis() + " ms";
        } else {
            outcome = Attempt.Outcome.CONNECTION_FAILED;
            error = "connection failed: " + describe(e);
        }
        return new Attempt(recordingId, Attempt.Kind.WEBHOOK, endpoint.displayName(), n, started, took, outcome, status, 1,
                body.length, webhookId, sent, answer, ReceiverText.clean(error, Attempt.ANSWER_CHARS, secretsOf(endpoint)));
    }

    /**
     * @param traceHeaders a tracer's headers, sent first (so they never replace ours) and not logged
     * @param sent filled with the headers sent, less secrets: no {@code Authorization}, signatures as {@code v1,***}
     */
    private Mono<Answer> attempt(WebhookEndpoint endpoint, long recordingId, String webhookId, byte[] body, int n,
                                 List<String> secrets, Map<String, String> traceHeaders, Map<String, String> sent) {
        String shown = label(endpoint);
        log.info("📤 Sending webhook to {} (recording {}, attempt {})", shown, recordingId, n);
        long timestamp = clock.instant().getEpochSecond();
        String signature = endpoint.signingKeys().isEmpty() ? null
                : Signatures.header(endpoint.signingKeys(), webhookId, timestamp, body);
        sent.put("content-type", "application/json");
        sent.put("accept", "application/json");
        sent.put("user-agent", userAgent);
        sent.put("webhook-id", webhookId);
        sent.put("webhook-timestamp", Long.toString(timestamp));
        if (signature != null) {
            sent.put("webhook-signature", signature.replaceAll("v1,[^ ]+", "v1,***"));
        }
        return client()
                .headers(h -> {
                    traceHeaders.forEach(h::set); // first: a tracer's headers never replace ours
                    h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    h.set(HttpHeaderNames.ACCEPT, "application/json");
                    h.set(HttpHeaderNames.USER_AGENT, userAgent);
                    h.set("webhook-id", webhookId);
                    h.set("webhook-timestamp", Long.toString(timestamp));
                    if (signature != null) {
                        h.set("webhook-signature", signature);
                    }
                    endpoint.bearerToken().ifPresent(t -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + t));
                })
                .post()
                .uri(endpoint.url())
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                .response((response, content) -> content.asByteArray()
                        .reduce(new ByteArrayOutputStream(), (out, bytes) -> {
                            if (out.size() < MAX_REPLY_BYTES) {
                                out.write(bytes, 0, Math.min(bytes.length, MAX_REPLY_BYTES - out.size()));
                            }
                            return out;
                        })
                        .map(out -> new Answer(response.status().code(), parseReply(out.toByteArray(), secrets),
                                retryAfter(response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER)),
                                excerpt(out.toByteArray(), secrets))))
                .next()
                .flatMap(answer -> answer.status >= 200 && answer.status < 300 ? Mono.just(answer)
                        : Mono.error(new WebhookStatusException(answer.status, answer.reply, answer.retryAfter, shown,
                        answer.excerpt)));
    }

    /**
     * The endpoint's backoff, filtered to what may go through later, ending with the last
     * failure itself; the {@code Retry-After} of an answer that will be retried is waited out
     * before the backoff. One that will not (a 404, a 410, a redirect) ends the delivery at once.
     */
    static Retry retry(RetryBackoffSpec spec) {
        RetryBackoffSpec filtered = spec.filter(WebhookSender::retryable)
                .onRetryExhaustedThrow((s, signal) -> signal.failure());
        return Retry.from(signals -> filtered.generateCompanion(signals.concatMap(signal -> {
            Retry.RetrySignal copy = signal.copy();
            Throwable f = copy.failure();
            if (f instanceof WebhookStatusException && ((WebhookStatusException) f).retryAfter != null
                    && retryable(f) && copy.totalRetries() < spec.maxAttempts) {
                return Mono.delay(((WebhookStatusException) f).retryAfter, spec.backoffSchedulerSupplier.get())
                        .thenReturn(copy);
            }
            return Mono.just(copy);
        })));
    }

    static boolean retryable(Throwable t) {
        if (refusal(t) != null) {
            return false;
        }
        if (t instanceof WebhookStatusException) {
            return ((WebhookStatusException) t).retryable();
        }
        if (t instanceof Error) {
            return false;
        }
        return t instanceof TimeoutException || t instanceof IOException || t instanceof PrematureCloseException
                || t instanceof ClosedChannelException || isConnectionProblem(t);
    }

    private static boolean isConnectionProblem(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof IOException || c instanceof io.netty.channel.ChannelException) {
                return true;
            }
        }
        return false;
    }

    /** The network policy's refusal somewhere in the causes of {@code t}, or null. */
    static PolicyResolverGroup.PolicyRefusal refusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof PolicyResolverGroup.PolicyRefusal) {
                return (PolicyResolverGroup.PolicyRefusal) c;
            }
        }
        return null;
    }

    /** The receiver's message as logs, errors and exceptions show it: at most 1 KiB, with a colon before it. */
    static String shownMessage(ReceiverReply reply) {
        return reply != null && reply.message() != null ? ": " + ReceiverText.clean(reply.message(), ReceiverText.SHOWN) : "";
    }

    private static void logFailure(String where, long recordingId, Throwable e) {
        PolicyResolverGroup.PolicyRefusal refused = refusal(e);
        if (refused != null) {
            log.warn("❌ Webhook not sent: {} (recording {}): {}", where, recordingId, refused.getMessage());
        } else if (e instanceof WebhookStatusException) {
            WebhookStatusException s = (WebhookStatusException) e;
            log.warn("❌ Webhook failed with status {} from {} (recording {}){}", s.status, where, recordingId,
                    shownMessage(s.reply));
        } else if (e instanceof TimeoutException) {
            log.warn("❌ Webhook timeout: {} did not answer in time (recording {})", where, recordingId);
        } else {
            log.warn("❌ Webhook connection failed: {} (recording {}): {}", where, recordingId, describe(e));
        }
    }

    private static WebhookOutcome failed(String where, String webhookId, int attempts, Throwable e, boolean deadline) {
        PolicyResolverGroup.PolicyRefusal refused = refusal(e);
        if (refused != null) {
            return new WebhookOutcome(where, webhookId, State.REJECTED, 0, attempts, null,
                    refused.getMessage() + "; not sent, not retried");
        }
        if (e instanceof WebhookStatusException) {
            WebhookStatusException s = (WebhookStatusException) e;
            State state;
            if (s.status == 404) {
                state = State.PARKED;
            } else if (s.status == 410) {
                state = State.GONE;
            } else if (s.retryable()) {
                state = State.FAILED;
            } else {
                state = State.REJECTED;
            }
            String what = "status " + s.status + (s.status >= 300 && s.status < 400 ? " (redirects are not followed)" : "")
                    + shownMessage(s.reply);
            return new WebhookOutcome(where, webhookId, state, s.status, attempts, s.reply,
                    what + (deadline ? " (deadline reached)" : "") + " after " + attempts + attemptsWord(attempts));
        }
        String what = e instanceof TimeoutException ? "timed out"
                : retryable(e) ? "connection failed: " + describe(e) : describe(e);
        return new WebhookOutcome(where, webhookId, retryable(e) || deadline ? State.FAILED : State.REJECTED, 0,
                attempts, null, what + (deadline ? " (deadline reached)" : "") + " after " + attempts + attemptsWord(attempts));
    }

    private static String attemptsWord(int n) {
        return n == 1 ? " attempt" : " attempts";
    }

    private static String describe(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c && c.getMessage() == null) {
            c = c.getCause();
        }
        if (c instanceof ConnectException || c.getCause() instanceof ConnectException) {
            return "connection refused";
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * The receiver's JSON answer, read with the streaming parser: it runs on the event loop, and
     * databind's caches take locks on first use.
     */
    private static ReceiverReply parseReply(byte[] body, List<String> secrets) {
        if (body.length == 0) {
            return null;
        }
        try (JsonParser p = Json.parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String status = null;
            String message = null;
            String action = null;
            Long recordingId = null;
            Long pk = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "status" -> status = text(p, value);
                    case "message" -> message = text(p, value);
                    case "action" -> action = text(p, value);
                    case "recording_id" -> recordingId = number(p, value);
                    case "pk" -> pk = number(p, value);
                    default -> p.skipChildren();
                }
            }
            return new ReceiverReply(ReceiverText.clean(status, ReceiverText.SHORT, secrets),
                    ReceiverText.clean(message, ReceiverText.RECORDED, secrets), recordingId, pk,
                    ReceiverText.clean(action, ReceiverText.SHORT, secrets));
        } catch (IOException e) {
            // not JSON (an HTML error page, say): the start of it, as data
            String text = new String(body, StandardCharsets.UTF_8).strip();
            return new ReceiverReply(null, ReceiverText.clean(text, ReceiverText.SHOWN, secrets), null, null, null);
        }
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isScalarValue()) {
            return p.getValueAsString();
        }
        p.skipChildren();
        return null;
    }

    private static Long number(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (value == JsonToken.VALUE_STRING) {
            try {
                return Long.parseLong(p.getText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        p.skipChildren();
        return null;
    }

    /** Delay-seconds or an HTTP date; capped at an hour, and nothing for nonsense. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            try {
                d = Duration.between(java.time.Instant.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (RuntimeException notADate) {
                return null;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d;
    }

    /**
     * Builds the HTTP client and lets Reactor Netty load what its first request would (its event loops, the DNS
     * resolver, the HTTP codec's classes), on a thread that may block.
     */
    public Mono<Void> warmUp() {
        return Mono.fromCallable(this::client).subscribeOn(Schedulers.boundedElastic()).flatMap(HttpClient::warmup);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("the webhook client is closed");
                }
                c = client;
                if (c == null) {
                    provider = ConnectionProvider.builder("reelay-webhooks")
                            .maxConnections(maxConnections)
                            .pendingAcquireMaxCount(-1)
                            .maxIdleTime(Duration.ofSeconds(30))
                            .build();
                    c = HttpClient.create(provider)
                            .followRedirect(false)
                            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
                    if (loops != null) {
                        c = c.runOn(loops, false);
                    }
                    if (!policy.allowsAll()) {
                        resolver = new PolicyResolverGroup(policy, c.configuration().defaultAddressResolverGroup(),
                                ownAddresses);
                        c = c.resolver(resolver);
                    }
                    client = c;
                }
            }
        }
        return c;
    }

    /**
     * Closes the pooled connections; from a thread that may block it waits (briefly) until they are closed, so that
     * the event loops they ran on can be shut down right after.
     */
    @Override
    public synchronized void close() {
        closed = true;
        ConnectionProvider p = provider;
        if (p != null) {
            if (Schedulers.isInNonBlockingThread()) {
                p.dispose();
            } else {
                try {
                    p.disposeLater().block(CLOSE_TIMEOUT);
                } catch (RuntimeException e) {
                    // the connections close with the loops they run on
                    log.debug("The webhook connections did not close within {}: {}", CLOSE_TIMEOUT, e.toString());
                }
            }
        }
        PolicyResolverGroup r = resolver;
        if (r != null) {
            r.close();
        }
    }

    /** The start of an answer's body as text for the attempt log: escaped, masked, bounded; null when empty. */
    private static String excerpt(byte[] body, List<String> secrets) {
        if (body.length == 0) {
            return null;
        }
        String text = new String(body, 0, Math.min(body.length, 2 * Attempt.ANSWER_CHARS), StandardCharsets.UTF_8);
        return ReceiverText.clean(text, Attempt.ANSWER_CHARS, secrets);
    }

    private static final class Answer {
        final int status;
        final ReceiverReply reply;
        final Duration retryAfter;
        final String excerpt;

        Answer(int status, ReceiverReply reply, Duration retryAfter, String excerpt) {
            this.status = status;
            this.reply = reply;
            this.retryAfter = retryAfter;
            this.excerpt = excerpt;
        }
    }
}
