package dev.reelay.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A stand-in for the host's server: the original Django endpoint's contract on a Reactor Netty
 * {@link HttpServer} at {@code http://127.0.0.1:<free port>/recordings/webhook/}.
 *
 * <ul>
 *   <li>upsert by {@code recording_id}: {@code 201 "action": "created"}, then
 *       {@code 200 "action": "updated"} for the same id;</li>
 *   <li>{@code 404} when {@code user_info.email} is not one of its users;</li>
 *   <li>{@code 400} when {@code recording_id} or {@code user_info.email} is missing;</li>
 *   <li>{@code 401} when it was given a {@code whsec_} secret and the Standard Webhooks
 *       signature does not verify, or a token and the {@code Authorization} header lacks it.</li>
 * </ul>
 *
 * It keeps the last request (headers and body) so that an example can show what arrived.
 *
 * <pre>{@code
 * try (DemoReceiver receiver = DemoReceiver.start(Set.of("demo@example.com"))) {
 *     PipelineOptions options = PipelineOptions.builder().s3(s3).webhook(receiver.url()).build();
 *     ...
 *     receiver.lastRequest().ifPresent(r -> System.out.println(r.body()));
 * }
 * }</pre>
 */
public final class DemoReceiver implements AutoCloseable {

    /** The original system's path. */
    public static final String PATH = "/recordings/webhook/";

    /** How old a signed request may be; Standard Webhooks' recommendation. */
    private static final long TOLERANCE_SECONDS = 5 * 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request as it arrived, and what it was answered.
     *
     * @param headers the request headers, in the order they came (lower-case names)
     * @param body    the body, UTF-8
     * @param status  the status it was answered with
     * @param answer  the JSON body it was answered with
     */
    public record ReceivedRequest(List<Map.Entry<String, String>> headers, String body, int status, String answer) {

        public ReceivedRequest {
            headers = List.copyOf(headers);
        }

        /** The first value of the header, by case-insensitive name. */
        public Optional<String> header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
        }
    }

    /**
     * A recording as the receiver stored it.
     *
     * @param pk      the receiver's own key
     * @param payload the last payload it got for the recording
     */
    public record StoredRecording(long pk, JsonNode payload) {
    }

    private final Set<String> users;
    private final byte[] signingKey;
    private final String bearerToken;
    private final Map<Long, StoredRecording> recordings = new HashMap<>();
    private final AtomicReference<ReceivedRequest> lastRequest = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicInteger failing = new java.util.concurrent.atomic.AtomicInteger();
    private long nextPk = 1;
    private final DisposableServer server;

    private DemoReceiver(Set<String> users, String secret, String bearerToken) {
        this.users = Set.copyOf(users);
        this.signingKey = secret == null ? null : Base64.getDecoder().decode(secret.substring("whsec_".length()));
        this.bearerToken = bearerToken;
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post(PATH, this::handle))
                .bindNow();
    }

    /** A receiver that knows these users' emails, checking neither signature nor token. */
    public static DemoReceiver start(Set<String> knownEmails) {
        return start(knownEmails, null, null);
    }

    /**
     * A receiver that knows these users' emails.
     *
     * @param secret      a {@code whsec_} secret: requests must carry a valid signature; or null
     * @param bearerToken requests must carry {@code Authorization: Bearer <token>}; or null
     */
    public static DemoReceiver start(Set<String> knownEmails, String secret, String bearerToken) {
        return new DemoReceiver(knownEmails, secret, bearerToken);
    }

    /** {@code http://127.0.0.1:<port>/recordings/webhook/}. */
    public String url() {
        return "http://127.0.0.1:" + server.port() + PATH;
    }

    /** The next {@code n} requests are answered 503, as by a receiver that is down, before the contract applies again. */
    public void failNext(int n) {
        failing.set(n);
    }

    /** The last request it got, if any. */
    public Optional<ReceivedRequest> lastRequest() {
        return Optional.ofNullable(lastRequest.get());
    }

    /** The recordings it stored, by {@code recording_id}. */
    public synchronized Map<Long, StoredRecording> recordings() {
        return Map.copyOf(recordings);
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().aggregate().asByteArray()
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> {
                    List<Map.Entry<String, String>> headers = new ArrayList<>();
                    request.requestHeaders().forEach(h -> headers.add(Map.entry(h.getKey().toLowerCase(Locale.ROOT), h.getValue())));
                    Answer answer = answer(request, body);
                    lastRequest.set(new ReceivedRequest(headers, new String(body, StandardCharsets.UTF_8),
                            answer.status, answer.json));
                    return response.status(answer.status)
                            .header("Content-Type", "application/json")
                            .sendString(Mono.just(answer.json))
                            .then();
                });
    }

    private record Answer(int status, String json) {
    }

    private Answer answer(HttpServerRequest request, byte[] body) {
        if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return error(503, "Service unavailable (the demo receiver fails this request on purpose)");
        }
        if (bearerToken != null && !("Bearer " + bearerToken).equals(request.requestHeaders().get("Authorization"))) {
            return error(401, "Missing or wrong bearer token");
        }
        if (signingKey != null && !signatureVerifies(request, body)) {
            return error(401, "Invalid or missing webhook signature");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            return error(400, "Invalid JSON");
        }
        JsonNode id = json == null ? null : json.get("recording_id");
        JsonNode email = json == null ? null : json.path("user_info").get("email");
        if (id == null || !id.isIntegralNumber() || !id.canConvertToLong()
                || email == null || !email.isTextual() || email.asText().isBlank()) {
            return error(400, "Missing required fields: recording_id or user_info.email");
        }
        if (!users.contains(email.asText())) {
            return error(404, "No user found with email: " + email.asText());
        }
        return upsert(id.asLong(), json);
    }

    /** Creates the recording, or updates the one with the same id. */
    private synchronized Answer upsert(long recordingId, JsonNode payload) {
        StoredRecording before = recordings.get(recordingId);
        long pk = before != null ? before.pk() : nextPk++;
        recordings.put(recordingId, new StoredRecording(pk, payload));
        String action = before == null ? "created" : "updated";
        ObjectNode answer = JSON.createObjectNode()
                .put("status", "success")
                .put("message", "Recording " + action + " successfully")
                .put("recording_id", recordingId)
                .put("pk", pk)
                .put("action", action);
        return new Answer(before == null ? 201 : 200, answer.toString());
    }

    private static Answer error(int status, String message) {
        return new Answer(status, JSON.createObjectNode().put("status", "error").put("message", message).toString());
    }

    /**
     * Standard Webhooks: {@code webhook-signature} holds one or more {@code v1,<base64>}, each an
     * HMAC-SHA256 of {@code id.timestamp.body}; one must match, and the timestamp must be recent.
     */
    private boolean signatureVerifies(HttpServerRequest request, byte[] body) {
        String id = request.requestHeaders().get("webhook-id");
        String timestamp = request.requestHeaders().get("webhook-timestamp");
        String signatures = request.requestHeaders().get("webhook-signature");
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(Instant.now().getEpochSecond() - sentAt) > TOLERANCE_SECONDS) {
            return false;
        }
        byte[] expected = hmac(id + "." + timestamp + ".", body);
        for (String signature : signatures.split(" ")) {
            if (signature.startsWith("v1,")) {
                byte[] given;
                try {
                    given = Base64.getDecoder().decode(signature.substring(3));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (MessageDigest.isEqual(expected, given)) {
                    return true;
                }
            }
        }
        return false;
    }

    private byte[] hmac(String prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Stops listening. */
    @Override
    public void close() {
        server.disposeNow();
    }

    @Override
    public String toString() {
        return "DemoReceiver{" + url() + "}";
    }
}
