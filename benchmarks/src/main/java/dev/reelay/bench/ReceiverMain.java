package dev.reelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The webhook receiver of the benchmarks, in a JVM of its own: the original Django endpoint's
 * contract on Reactor Netty. Upsert by {@code recording_id} (201 {@code created}, then 200
 * {@code updated}), 404 for an unknown {@code user_info.email}, 400 for missing fields. It keeps
 * only a primary key per recording, not the payloads.
 *
 * <p>Usage: {@code ReceiverMain <known email>...}. Prints {@code PORT <n>}, then answers
 * commands on stdin: {@code delay <ms>} (answer every request that much later) → {@code OK};
 * {@code reset} (forget every recording and count) → {@code OK};
 * {@code stats} → {@code STATS <created> <updated> <notFound> <badRequest>}. Exits when stdin closes.
 */
public final class ReceiverMain {

    static final String PATH = "/recordings/webhook/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> users;
    private final Map<Long, Long> pks = new ConcurrentHashMap<>();
    private final AtomicLong nextPk = new AtomicLong(1);
    private final LongAdder created = new LongAdder();
    private final LongAdder updated = new LongAdder();
    private final LongAdder notFound = new LongAdder();
    private final LongAdder badRequest = new LongAdder();
    private volatile Duration delay = Duration.ZERO;

    private ReceiverMain(Set<String> users) {
        this.users = users;
    }

    public static void main(String[] args) throws Exception {
        ReceiverMain receiver = new ReceiverMain(Set.of(args));
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post(PATH, receiver::handle))
                .bindNow();
        System.out.println("PORT " + server.port());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.trim().split("\\s+");
            String answer = switch (words[0]) {
                case "delay" -> {
                    receiver.delay = Duration.ofMillis(Long.parseLong(words[1]));
                    yield "OK";
                }
                case "reset" -> {
                    receiver.reset();
                    yield "OK";
                }
                case "stats" -> "STATS " + receiver.created.sum() + " " + receiver.updated.sum() + " "
                        + receiver.notFound.sum() + " " + receiver.badRequest.sum();
                default -> "ERROR unknown command " + line;
            };
            System.out.println(answer);
            System.out.flush();
        }
        server.disposeNow();
        System.exit(0);
    }

    private void reset() {
        pks.clear();
        created.reset();
        updated.reset();
        notFound.reset();
        badRequest.reset();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                .map(this::answer)
                .flatMap(a -> delay.isZero() ? Mono.just(a) : Mono.delay(delay).thenReturn(a))
                .flatMap(a -> response.status(a.status)
                        .header("Content-Type", "application/json")
                        .sendString(Mono.just(a.body))
                        .then());
    }

    private record Answer(int status, String body) {
    }

    private Answer answer(byte[] body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            badRequest.increment();
            return new Answer(400, "{\"status\":\"error\",\"message\":\"Invalid JSON\"}");
        }
        JsonNode id = json == null ? null : json.get("recording_id");
        JsonNode email = json == null ? null : json.path("user_info").get("email");
        if (id == null || !id.canConvertToLong() || email == null || email.asText().isEmpty()) {
            badRequest.increment();
            return new Answer(400, "{\"status\":\"error\",\"message\":\"Missing required fields: recording_id or user_info.email\"}");
        }
        if (!users.contains(email.asText())) {
            notFound.increment();
            return new Answer(404, "{\"status\":\"error\",\"message\":\"No user found with email: " + email.asText() + "\"}");
        }
        long recordingId = id.asLong();
        boolean[] isNew = new boolean[1];
        long pk = pks.computeIfAbsent(recordingId, k -> {
            isNew[0] = true;
            return nextPk.getAndIncrement();
        });
        String action = isNew[0] ? "created" : "updated";
        (isNew[0] ? created : updated).increment();
        return new Answer(isNew[0] ? 201 : 200, "{\"status\":\"success\",\"message\":\"Recording " + action
                + " successfully\",\"recording_id\":" + recordingId + ",\"pk\":" + pk + ",\"action\":\"" + action + "\"}");
    }
}
