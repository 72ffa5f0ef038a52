package dev.reelay.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The receiver contract of the original Django endpoint, on a real Reactor Netty server on
 * port 0: upsert by {@code recording_id} (201 created, then 200 updated), 404 for an unknown
 * email, 400 for missing fields. Tests script failures ahead of the real answers and read
 * every request it got.
 */
public final class TestReceiver implements AutoCloseable {

    public static final String PATH = "/recordings/webhook/";
    private static final ObjectMapper JSON = warmedUp(new ObjectMapper());

    /**
     * The mapper with its deserializer caches made: they take a lock when first used, and the receiver
     * reads on event loops, where concurrent first requests would park (BlockHound fails such a
     * request with a 500). Reelay itself no longer loads databind first, so the receiver warms its own.
     */
    private static ObjectMapper warmedUp(ObjectMapper mapper) {
        try {
            mapper.readTree("{\"recording_id\":1,\"uploaded_files\":{\"video\":\"v\"},\"duration\":1.5,\"ok\":true}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return mapper;
    }

    /** One request as the receiver saw it. */
    public record Request(HttpHeaders headers, String body, int answeredWith, long receivedAtNanos) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** One request that carried a recording, as the receiver answered it. */
    public record Delivery(long recordingId, String webhookId, int status) {
        /** Whether the receiver took it (2xx). */
        public boolean taken() {
            return status >= 200 && status < 300;
        }
    }

    /** What the receiver stored for a recording (an upsert: a repeat shows as an update, never as a second creation). */
    public record Stored(long pk, JsonNode payload, int timesCreated, int timesUpdated) {
    }

    /** A scripted answer used instead of the contract, once. */
    public record Scripted(int status, String body, Map<String, String> headers, boolean stalls) {
        public static Scripted status(int status) {
            return new Scripted(status, "{\"status\":\"error\",\"message\":\"scripted " + status + "\"}", Map.of(), false);
        }

        public static Scripted stalling() {
            return new Scripted(0, null, Map.of(), true);
        }
    }

    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private final Map<Long, Stored> recordings = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Scripted> script = new ConcurrentLinkedQueue<>();
    private final Map<Long, ConcurrentLinkedQueue<Scripted>> scriptByRecording = new ConcurrentHashMap<>();
    private final AtomicLong nextPk = new AtomicLong(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Scripted always;
    private volatile int echoStatus;
    private final Set<Long> stalled = ConcurrentHashMap.newKeySet();
    private final DisposableServer server;
    /**
     * Loops of this receiver's own, not Reactor Netty's global ones that the dashboard's server and
     * Reelay's own clients share in the test JVM: a request the receiver answers without reading its
     * body (a file sent to a wrong path) leaves the rest to be decoded as the next request, byte by
     * byte under the tests' paranoid leak detection, which held one loop for many seconds and stalled
     * whatever else was on it (a dashboard request waited 30 s). Disposed with the receiver.
     */
    private final LoopResources loops = LoopResources.create("test-receiver", 2, true);

    private TestReceiver() {
        server = HttpServer.create()
                .runOn(loops)
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post(PATH, this::handle))
                .bindNow();
    }

    public static TestReceiver start(String... knownEmails) {
        TestReceiver r = new TestReceiver();
        r.users.addAll(List.of(knownEmails));
        return r;
    }

    public String url() {
        return "http://127.0.0.1:" + server.port() + PATH;
    }

    public int port() {
        return server.port();
    }

    public void addUser(String email) {
        users.add(email);
    }

    /** The next requests get these answers, in order, before the contract applies again. */
    public void script(Scripted... answers) {
        script.addAll(List.of(answers));
    }

    /**
     * The next requests for this recording get these answers, in order, before the contract
     * applies again to it; other recordings' requests are not affected.
     */
    public void script(long recordingId, Scripted... answers) {
        scriptByRecording.computeIfAbsent(recordingId, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(answers));
    }

    /** Requests for this recording are read and never answered. */
    public void stallRecording(long recordingId) {
        stalled.add(recordingId);
    }

    /**
     * Every request is answered with this status and a message that repeats the request's headers
     * (as a careless receiver's error page does), until cleared with 0.
     */
    public void echoHeaders(int status) {
        echoStatus = status;
    }

    /** Every request gets this answer until cleared with null. */
    public void always(Scripted answer) {
        always = answer;
    }

    private void record(Request request) {
        synchronized (requests) {
            requests.add(request);
            requests.notifyAll();
        }
    }

    /** Waits until the receiver got {@code n} requests; false when the limit passed first. */
    public boolean awaitRequests(int n, java.time.Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (requests) {
            for (long left; requests.size() < n && (left = deadline - System.nanoTime()) > 0; ) {
                requests.wait(Math.max(1, left / 1_000_000));
            }
            return requests.size() >= n;
        }
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** Every request that carried a {@code recording_id}, in the order they came, with their answers. */
    public List<Delivery> attempts() {
        List<Delivery> out = new ArrayList<>();
        for (Request r : requests) {
            JsonNode id;
            try {
                id = JSON.readTree(r.body()).get("recording_id");
            } catch (Exception e) {
                continue;
            }
            if (id != null && id.canConvertToLong()) {
                out.add(new Delivery(id.asLong(), r.headers().get("webhook-id"), r.answeredWith()));
            }
        }
        return out;
    }

    /** The requests the receiver took (2xx), by recording, in order. */
    public Map<Long, List<Delivery>> deliveries() {
        Map<Long, List<Delivery>> byRecording = new java.util.TreeMap<>();
        attempts().stream().filter(Delivery::taken)
                .forEach(d -> byRecording.computeIfAbsent(d.recordingId(), k -> new ArrayList<>()).add(d));
        return byRecording;
    }

    /**
     * Checks what "nothing lost" is about: each of these recordings reached the receiver, which
     * took it at least once, and every repeat of a recording carried the {@code webhook-id} of its
     * first delivery, so that a receiver deduplicating on it keeps one. Returns the number of
     * repeats (deliveries after the first), for the test to report and to bound.
     */
    public int assertEveryDeliveredRepeatsSameId(java.util.Collection<Long> recordingIds) {
        Map<Long, List<Delivery>> deliveries = deliveries();
        int repeats = 0;
        for (long id : recordingIds) {
            List<Delivery> of = deliveries.get(id);
            org.assertj.core.api.Assertions.assertThat(of).as("recording %d delivered", id).isNotEmpty();
            String first = of.get(0).webhookId();
            org.assertj.core.api.Assertions.assertThat(of).as("recording %d: every repeat with webhook-id %s", id, first)
                    .extracting(Delivery::webhookId).containsOnly(first);
            repeats += of.size() - 1;
        }
        return repeats;
    }

    public Stored stored(long recordingId) {
        return recordings.get(recordingId);
    }

    public Map<Long, Stored> recordings() {
        return Map.copyOf(recordings);
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                .flatMap(body -> {
                    int echo = echoStatus;
                    if (echo != 0) {
                        StringBuilder headers = new StringBuilder("request headers were:");
                        request.requestHeaders().forEach(h -> headers.append('\n').append(h.getKey()).append(": ")
                                .append(h.getValue()));
                        String reply = JSON.createObjectNode().put("status", "error").put("message", headers.toString())
                                .toString();
                        requests.add(new Request(request.requestHeaders().copy(), body, echo, System.nanoTime()));
                        return send(response, echo, reply);
                    }
                    Scripted s = always != null ? always : stalls(body) ? Scripted.stalling() : scripted(body);
                    if (s != null) {
                        record(new Request(request.requestHeaders().copy(), body, s.stalls ? 0 : s.status, System.nanoTime()));
                        if (s.stalls) {
                            return Mono.never();
                        }
                        s.headers.forEach(response::header);
                        return send(response, s.status, s.body);
                    }
                    Answer a = contract(body);
                    record(new Request(request.requestHeaders().copy(), body, a.status, System.nanoTime()));
                    return send(response, a.status, a.body);
                });
    }

    private Scripted scripted(String body) {
        if (!scriptByRecording.isEmpty()) {
            try {
                ConcurrentLinkedQueue<Scripted> own = scriptByRecording.get(JSON.readTree(body).path("recording_id").asLong());
                Scripted s = own == null ? null : own.poll();
                if (s != null) {
                    return s;
                }
            } catch (Exception notJson) {
                // the contract answers it
            }
        }
        return script.poll();
    }

    private boolean stalls(String body) {
        if (stalled.isEmpty()) {
            return false;
        }
        try {
            return stalled.contains(JSON.readTree(body).path("recording_id").asLong());
        } catch (Exception e) {
            return false;
        }
    }

    private record Answer(int status, String body) {
    }

    private synchronized Answer contract(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            return new Answer(400, "{\"status\":\"error\",\"message\":\"Invalid JSON\"}");
        }
        JsonNode id = json == null ? null : json.get("recording_id");
        JsonNode email = json == null ? null : json.path("user_info").get("email");
        if (id == null || !id.canConvertToLong() || email == null || email.asText().isEmpty()) {
            return new Answer(400, "{\"status\":\"error\",\"message\":\"Missing required fields: recording_id or user_info.email\"}");
        }
        if (!users.contains(email.asText())) {
            return new Answer(404, "{\"status\":\"error\",\"message\":\"No user found with email: " + email.asText() + "\"}");
        }
        long rid = id.asLong();
        Stored before = recordings.get(rid);
        Stored after = before == null ? new Stored(nextPk.getAndIncrement(), json, 1, 0)
                : new Stored(before.pk(), json, before.timesCreated(), before.timesUpdated() + 1);
        recordings.put(rid, after);
        String action = before == null ? "created" : "updated";
        return new Answer(before == null ? 201 : 200, "{\"status\":\"success\",\"message\":\"Recording " + action
                + " successfully\",\"recording_id\":" + rid + ",\"pk\":" + after.pk() + ",\"action\":\"" + action + "\"}");
    }

    private static Mono<Void> send(HttpServerResponse response, int status, String body) {
        return response.status(status)
                .header("Content-Type", "application/json")
                .sendString(Mono.just(body == null ? "" : body))
                .then();
    }

    @Override
    public void close() {
        server.disposeNow();
        loops.disposeLater(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2)).subscribe();
    }
}
