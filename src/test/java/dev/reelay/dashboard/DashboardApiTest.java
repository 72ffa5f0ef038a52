package dev.reelay.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.media.MediaOptions;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.support.FaultyFront;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import dev.reelay.support.TestReceiver.Scripted;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.util.retry.Retry;

/**
 * The dashboard's JSON API against a pipeline whose outcomes are known: what it counts, lists, pages
 * and shows, what its actions do, and who may call it.
 */
class DashboardApiTest extends ServersTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "test-dashboard-token-0123456789";
    static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString("a dashboard test key of 32 bytes".getBytes());
    static final String BEARER = "bearer-token-that-must-never-show";
    static final String XSS = "<img src=x onerror=\"window.xssRan=true\">";

    DashboardServer dashboard;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    String cookie;
    String csrf;

    @AfterEach
    void stopDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    PipelineOptions.Builder options() {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().presignedUrls(Duration.ofDays(1)).build())
                .webhook(fastEndpoint(receiver.url()).name("ops").secret(SECRET).bearerToken(BEARER)
                        .retry(Retry.backoff(1, Duration.ofMillis(10))).build())
                .media(MediaOptions.disabled())
                .outbox(OutboxOptions.builder().directory(dir.resolve("journal")).build());
    }

    /** Recordings 1 and 5 complete (5 titled like an attack), 2 parked (unknown user), 3 webhook failed, 4 partial. */
    void knownOutcomes() {
        pipeline = RecordingPipeline.create(options().build());
        submit(Recordings.base(1).video(Recordings.file(dir.resolve("1"), "video.mkv", 40_000)).build());
        submit(Recordings.base(2).user("newcomer", "newcomer@example.com")
                .video(Recordings.file(dir.resolve("2"), "video.mkv", 30_000)).build());
        receiver.script(Scripted.status(503), Scripted.status(503));
        submit(Recordings.base(3).video(Recordings.file(dir.resolve("3"), "video.mkv", 20_000)).build());
        submit(Recordings.base(4).video(Recordings.file(dir.resolve("4"), "video.mkv", 10_000))
                .transcript(dir.resolve("4/missing.txt")).build());
        submit(Recordings.base(5).title(XSS).video(Recordings.file(dir.resolve("5"), "video.mkv", 1_000)).build());
        dashboard = ReelayDashboard.create(pipeline, DashboardOptions.builder().port(0).accessToken(TOKEN)
                .actionWait(Duration.ofSeconds(2)).build()).start();
    }

    PipelineResult submit(Recording r) {
        return pipeline.submit(r).block(LIMIT);
    }

    String base() {
        return dashboard.url();
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in as a browser does: the token in the URL, a cookie back; then reads the session's CSRF token. */
    void login() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dashboard.loginUrl())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/");
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict");
        cookie = setCookie.substring(0, setCookie.indexOf(';'));
        csrf = json(get("api/session", "Cookie", cookie)).path("csrfToken").asText();
        assertThat(csrf).isNotBlank();
    }

    String origin() {
        return base().substring(0, base().length() - 1);
    }

    HttpResponse<String> browserPost(String path, String body) throws Exception {
        return post(path, body, "Cookie", cookie, "X-Reelay-CSRF", csrf, "Origin", origin());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.path("items").forEach(i -> ids.add(i.path("id").asLong()));
        return ids;
    }

    @Test
    void everyRouteNeedsTheTokenOrASession() throws Exception {
        knownOutcomes();
        for (String path : List.of("", "api/session", "api/overview", "api/recordings", "api/recordings/2",
                "api/recordings/2/attempts", "assets/app.js", "assets/uPlot.iife.min.js", "api/live/snapshot")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "Authorization", "Bearer wrong-token-0123456789").statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "Cookie", "reelay_session=forged.value").statusCode()).as(path).isEqualTo(401);
        }
        assertThat(get("?token=wrong").statusCode()).isEqualTo(401);
        assertThat(post("api/recordings/2/retry", "{}").statusCode()).isEqualTo(401);
        assertThat(get("api/overview", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        login();
        HttpResponse<String> page = get("", "Cookie", cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("script-src 'self'").doesNotContain("unsafe-inline").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).doesNotContain("<script>").doesNotContain(" on"); // no inline script or handler
        assertThat(get("assets/app.js", "Cookie", cookie).body()).as("the page never parses text as HTML")
                .doesNotContainPattern("innerHTML\\s*=|outerHTML|insertAdjacentHTML|document\\.write|eval\\(|new Function");
    }

    @Test
    void postsWithoutTheCsrfTokenOrFromAnotherOriginAreRefused() throws Exception {
        knownOutcomes();
        login();
        receiver.addUser("newcomer@example.com");
        int before = receiver.requests().size();
        assertThat(post("api/recordings/2/retry", "{}", "Cookie", cookie, "Origin", origin()).statusCode())
                .as("no CSRF token").isEqualTo(403);
        assertThat(post("api/recordings/2/retry", "{}", "Cookie", cookie, "Origin", origin(), "X-Reelay-CSRF", "forged")
                .statusCode()).as("a wrong CSRF token").isEqualTo(403);
        assertThat(post("api/recordings/2/retry", "{}", "Cookie", cookie, "X-Reelay-CSRF", csrf,
                "Origin", "http://evil.example").statusCode()).as("another origin").isEqualTo(403);
        assertThat(post("api/recordings/2/retry", "{}", "Cookie", cookie, "X-Reelay-CSRF", csrf).statusCode())
                .as("no origin at all").isEqualTo(403);
        assertThat(post("api/recordings/2/retry", "{}", "Authorization", "Bearer " + TOKEN,
                "Origin", "http://evil.example").statusCode()).as("the bearer token from another origin").isEqualTo(403);
        assertThat(receiver.requests()).as("nothing was sent").hasSize(before);

        HttpResponse<String> retried = browserPost("api/recordings/2/retry", "{}");
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(json(retried).path("result").path("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void theOverviewCountsWhatHappened() throws Exception {
        knownOutcomes();
        JsonNode o = json(get("api/overview", "Authorization", "Bearer " + TOKEN));
        JsonNode counts = o.path("counts");
        assertThat(counts.path("completed").asLong()).isEqualTo(2);
        assertThat(counts.path("parked").asLong()).isEqualTo(1);
        assertThat(counts.path("webhook-failed").asLong()).isEqualTo(1);
        assertThat(counts.path("partial").asLong()).isEqualTo(1);
        assertThat(counts.path("in-flight").asLong()).isZero();
        assertThat(counts.path("gave-up").asLong()).isZero();
        assertThat(o.path("backlogAgeSeconds").asLong()).isBetween(0L, 120L);
        long stored = 0;
        long taken = 0;
        long failed = 0;
        for (JsonNode m : o.path("activity")) {
            stored += m.path("filesStored").asLong();
            taken += m.path("webhooksTaken").asLong();
            failed += m.path("webhooksFailed").asLong();
        }
        assertThat(stored).as("5 videos and 5 metadata.json").isEqualTo(10);
        assertThat(taken).as("1, 4 and 5").isEqualTo(3);
        assertThat(failed).as("2's 404, and 3's two 503s").isEqualTo(3);
        JsonNode ops = o.path("endpoints").get(0);
        assertThat(ops.path("name").asText()).isEqualTo("ops");
        assertThat(ops.path("attempts").asLong()).isEqualTo(6);
        assertThat(ops.path("succeeded").asLong()).isEqualTo(3);
        assertThat(ops.path("lastFailure").asText()).contains("503");
        assertThat(ops.path("disabled").asBoolean()).isFalse();
    }

    @Test
    void recordingsAreListedNewestFirstFilteredAndPaged() throws Exception {
        knownOutcomes();
        String auth = "Bearer " + TOKEN;
        assertThat(ids(json(get("api/recordings", "Authorization", auth)))).containsExactly(5L, 4L, 3L, 2L, 1L);
        assertThat(ids(json(get("api/recordings?state=parked", "Authorization", auth)))).containsExactly(2L);
        assertThat(ids(json(get("api/recordings?state=partial", "Authorization", auth)))).containsExactly(4L);
        assertThat(ids(json(get("api/recordings?state=webhook-failed", "Authorization", auth)))).containsExactly(3L);
        assertThat(ids(json(get("api/recordings?state=completed", "Authorization", auth)))).containsExactly(5L, 1L);
        assertThat(ids(json(get("api/recordings?q=NEWCOMER%40example", "Authorization", auth)))).containsExactly(2L);
        assertThat(ids(json(get("api/recordings?q=%3Cimg", "Authorization", auth)))).containsExactly(5L);
        assertThat(ids(json(get("api/recordings?endpoint=ops&state=completed", "Authorization", auth)))).containsExactly(5L, 1L);
        assertThat(ids(json(get("api/recordings?endpoint=nowhere", "Authorization", auth)))).isEmpty();

        JsonNode first = json(get("api/recordings?limit=2", "Authorization", auth));
        assertThat(ids(first)).containsExactly(5L, 4L);
        JsonNode second = json(get("api/recordings?limit=2&after=" + first.path("next").asText(), "Authorization", auth));
        assertThat(ids(second)).containsExactly(3L, 2L);
        JsonNode third = json(get("api/recordings?limit=2&after=" + second.path("next").asText(), "Authorization", auth));
        assertThat(ids(third)).containsExactly(1L);
        assertThat(third.path("next").isNull()).isTrue();

        assertThat(get("api/recordings?state=sideways", "Authorization", auth).statusCode()).isEqualTo(400);
        assertThat(get("api/recordings?after=garbage", "Authorization", auth).statusCode()).isEqualTo(400);
        assertThat(get("api/recordings?limit=100000", "Authorization", auth).statusCode()).isEqualTo(400);
        assertThat(get("api/recordings/999", "Authorization", auth).statusCode()).isEqualTo(404);
    }

    @Test
    void aRecordingShowsItsFilesMetadataAndEveryAttemptWithTheAnswer() throws Exception {
        knownOutcomes();
        JsonNode r = json(get("api/recordings/2", "Authorization", "Bearer " + TOKEN));
        assertThat(r.path("state").asText()).isEqualTo("parked");
        assertThat(r.path("email").asText()).isEqualTo("newcomer@example.com");
        JsonNode webhook = null;
        for (JsonNode a : r.path("attemptLog")) {
            if (a.path("kind").asText().equals("WEBHOOK")) {
                webhook = a;
            }
        }
        assertThat(webhook).isNotNull();
        assertThat(webhook.path("target").asText()).isEqualTo("ops");
        assertThat(webhook.path("statusCode").asInt()).isEqualTo(404);
        assertThat(webhook.path("outcome").asText()).isEqualTo("ANSWERED");
        assertThat(webhook.path("answer").asText()).contains("No user found with email: newcomer@example.com");
        assertThat(webhook.path("requestHeaders").path("webhook-signature").asText()).isEqualTo("v1,***");
        assertThat(webhook.path("requestHeaders").has("authorization")).isFalse();
        assertThat(webhook.path("requestHeaders").path("webhook-id").asText())
                .isEqualTo(receiver.requests().get(1).headers().get("webhook-id"));
        assertThat(r.path("attemptLog").toString()).contains("\"kind\":\"UPLOAD\",\"target\":\"video.mkv\"");
        assertThat(r.path("fileList").get(0).path("name").asText()).isEqualTo("video.mkv");
        assertThat(r.path("fileList").get(0).path("url").asText()).as("no presigned query string").doesNotContain("?");
        assertThat(r.path("metadata").asText()).contains("\"recording_id\" : 2").doesNotContain("X-Amz-");

        JsonNode partial = json(get("api/recordings/4", "Authorization", "Bearer " + TOKEN));
        JsonNode missing = partial.path("fileList").get(1);
        assertThat(missing.path("name").asText()).isEqualTo("missing.txt");
        assertThat(missing.path("stored").asBoolean()).isFalse();
        assertThat(missing.path("error").asText()).contains("file not found");

        JsonNode xss = json(get("api/recordings/5", "Authorization", "Bearer " + TOKEN));
        assertThat(xss.path("title").asText()).as("as given, for the page to show as text").isEqualTo(XSS);
    }

    @Test
    void retryResendAndEnableCallThePipeline() throws Exception {
        knownOutcomes();
        login();
        // resend a completed recording to ops: the same webhook-id goes out again
        String firstId = receiver.requests().get(0).headers().get("webhook-id");
        int before = receiver.requests().size();
        JsonNode resent = json(browserPost("api/recordings/1/resend", "{\"endpoint\":\"ops\"}"));
        assertThat(resent.path("result").path("status").asText()).isEqualTo("COMPLETED");
        assertThat(receiver.requests()).hasSize(before + 1);
        assertThat(receiver.requests().get(before).headers().get("webhook-id")).isEqualTo(firstId);
        assertThat(browserPost("api/recordings/1/resend", "{\"endpoint\":\"nowhere\"}").statusCode()).isEqualTo(409);

        // a 410 disables ops; Enable lets the retry through
        receiver.script(Scripted.status(410));
        assertThat(submit(Recordings.base(6).video(Recordings.file(dir.resolve("6"), "video.mkv", 100)).build()).status())
                .isEqualTo(PipelineResult.Status.WEBHOOK_FAILED);
        JsonNode o = json(get("api/overview", "Cookie", cookie));
        assertThat(o.path("endpoints").get(0).path("disabled").asBoolean()).isTrue();
        assertThat(json(get("api/recordings/6", "Cookie", cookie)).path("endpoints").get(0).path("disabled").asBoolean()).isTrue();
        assertThat(browserPost("api/endpoints/enable", "{\"endpoint\":\"ops\"}").statusCode()).isEqualTo(200);
        assertThat(json(get("api/overview", "Cookie", cookie)).path("endpoints").get(0).path("disabled").asBoolean()).isFalse();
        assertThat(json(browserPost("api/recordings/6/retry", "{}")).path("result").path("status").asText()).isEqualTo("COMPLETED");
        assertThat(browserPost("api/recordings/999/retry", "{}").statusCode()).isEqualTo(404);
        assertThat(browserPost("api/recordings/6/resend", "not json").statusCode()).isEqualTo(400);
    }

    @Test
    void aTestWebhookShowsRequestAndAnswerAndTypedUrlsFollowThePolicy() throws Exception {
        knownOutcomes();
        login();
        int before = receiver.requests().size();
        JsonNode t = json(browserPost("api/test-webhook", "{\"endpoint\":\"ops\",\"email\":\"" + Recordings.EMAIL + "\"}"));
        assertThat(t.path("test").asBoolean()).isTrue();
        assertThat(t.path("delivered").asBoolean()).isTrue();
        assertThat(t.path("attempt").path("statusCode").asInt()).isEqualTo(201);
        assertThat(t.path("attempt").path("answer").asText()).contains("\"recording_id\":999");
        assertThat(t.path("body").asText()).contains("\"upload_source\" : \"reelay-test-webhook\"")
                .contains("not a real recording");
        TestReceiver.Request sent = receiver.requests().get(before);
        assertThat(sent.headers().get("Authorization")).as("sent with the endpoint's token").isEqualTo("Bearer " + BEARER);
        assertThat(sent.headers().get("webhook-signature")).startsWith("v1,");
        assertThat(t.path("attempt").path("requestHeaders").path("webhook-signature").asText()).isEqualTo("v1,***");

        JsonNode unknown = json(browserPost("api/test-webhook", "{\"endpoint\":\"ops\",\"email\":\"nobody@example.com\"}"));
        assertThat(unknown.path("attempt").path("statusCode").asInt()).isEqualTo(404);
        assertThat(unknown.path("attempt").path("answer").asText()).contains("No user found");
        assertThat(receiver.requests()).as("one request each: a test is not retried").hasSize(before + 2);

        JsonNode refused = json(browserPost("api/test-webhook", "{\"url\":\"" + receiver.url() + "\"}"));
        assertThat(refused.path("delivered").asBoolean()).isFalse();
        assertThat(refused.path("attempt").path("outcome").asText()).isEqualTo("REFUSED");
        assertThat(refused.path("error").asText()).contains("refused by the network policy");
        assertThat(receiver.requests()).as("a typed loopback URL gets nothing").hasSize(before + 2);
        assertThat(browserPost("api/test-webhook", "{\"url\":\"ftp://x\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void noSecretTokenSignatureOrPresignedQueryIsOnAnyPageOrAnswer() throws Exception {
        knownOutcomes();
        login();
        browserPost("api/test-webhook", "{\"endpoint\":\"ops\"}");
        List<String> seen = new ArrayList<>();
        for (String path : List.of("", "api/session", "api/overview", "api/recordings", "api/recordings?state=parked",
                "api/recordings/1", "api/recordings/2", "api/recordings/3", "api/recordings/4", "api/recordings/5",
                "api/recordings/2/attempts", "api/live/snapshot")) {
            seen.add(get(path, "Cookie", cookie).body());
        }
        seen.add(browserPost("api/test-webhook", "{\"endpoint\":\"ops\"}").body());
        String all = String.join("\n", seen);
        List<String> signatures = new ArrayList<>();
        receiver.requests().forEach(r -> signatures.add(r.headers().get("webhook-signature").substring(3)));
        assertThat(all).doesNotContain(TOKEN).doesNotContain(BEARER).doesNotContain(SECRET.substring(6))
                .doesNotContain(S3TestSecrets.SECRET).doesNotContain("X-Amz-Signature").doesNotContain("X-Amz-Credential");
        for (String s : signatures) {
            assertThat(all).doesNotContain(s);
        }
        assertThat(all).contains("v1,***");
    }

    /** The S3 server's secret, named here so the test reads plainly. */
    static final class S3TestSecrets {
        static final String SECRET = dev.reelay.support.S3TestServer.SECRET_KEY;
    }

    @Test
    void itMountsUnderAPathInAHostsOwnServer() throws Exception {
        pipeline = RecordingPipeline.create(options().build());
        submit(Recordings.base(1).video(Recordings.file(dir.resolve("1"), "video.mkv", 1_000)).build());
        ReelayDashboard mounted = ReelayDashboard.create(pipeline, DashboardOptions.builder().accessToken(TOKEN).build());
        reactor.netty.DisposableServer host = reactor.netty.http.server.HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> {
                    routes.get("/health", (req, res) -> res.sendString(reactor.core.publisher.Mono.just("ok")));
                    mounted.mount("/reelay").accept(routes);
                })
                .bindNow();
        try {
            String root = "http://127.0.0.1:" + host.port();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(root + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).as("the host's own routes are its own").isEqualTo("ok");
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(root + mounted.loginPath("/reelay")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(303);
            assertThat(login.headers().firstValue("Location")).hasValue("/reelay/");
            assertThat(login.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Path=/reelay/"));
            String session = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(root + "/reelay/"))
                    .header("Cookie", session).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("assets/app.js");
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(root + "/reelay/api/recordings"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ids(json(list))).containsExactly(1L);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(root + "/reelay/api/recordings")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        } finally {
            host.disposeNow();
            mounted.close();
        }
    }

    @Test
    void aRetryThatOutlivesItsRequestGoesOnAndThePageCanFollowIt() throws Exception {
        knownOutcomes();
        login();
        receiver.addUser("newcomer@example.com");
        receiver.stallRecording(2);
        JsonNode answer = json(browserPost("api/recordings/2/retry", "{}"));
        assertThat(answer.path("done").asBoolean()).as("still running after the answer's wait").isFalse();
        assertThat(json(get("api/recordings/2", "Cookie", cookie)).path("state").asText()).isEqualTo("in-flight");
        assertThat(ids(json(get("api/recordings?state=in-flight", "Cookie", cookie)))).containsExactly(2L);
        Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                !json(get("api/recordings/2", "Cookie", cookie)).path("state").asText().equals("in-flight"));
    }

    @Test
    void theLiveStreamFollowsAnUploadByteByByteAndEmptiesWhenItEnds() throws Exception {
        try (FaultyFront front = FaultyFront.in(s3.endpoint())) {
            front.throttleUploads(1L << 20); // 12 MiB at 1 MiB/s: more than the sockets' buffers hold at once
            pipeline = RecordingPipeline.create(options().s3(s3.options(front.endpoint()).build()).build());
            dashboard = ReelayDashboard.create(pipeline, DashboardOptions.builder().port(0).accessToken(TOKEN).build())
                    .start();
            login();
            assertThat(json(get("api/session", "Cookie", cookie)).path("live").asBoolean()).isTrue();
            HttpResponse<java.util.stream.Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(base()
                    + "api/live")).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).startsWith("text/event-stream"));
            long size = 12L << 20;
            PipelineResult[] result = new PipelineResult[1];
            pipeline.submit(Recordings.base(41).video(Recordings.file(dir.resolve("41"), "video.mkv", size)).build())
                    .subscribe(r -> result[0] = r);

            // snapshots as they come: the file's bytes sent grow while the throttled upload runs
            List<Long> sent = new ArrayList<>();
            java.util.Iterator<String> lines = stream.body().iterator();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sent.size() < 3 && System.nanoTime() < deadline && lines.hasNext()) {
                String line = lines.next();
                if (!line.startsWith("data: ")) {
                    continue;
                }
                for (JsonNode r : JSON.readTree(line.substring(6)).path("recordings")) {
                    for (JsonNode f : r.path("files")) {
                        if (r.path("id").asLong() == 41 && f.path("name").asText().equals("video.mkv")) {
                            assertThat(f.path("total").asLong()).isEqualTo(size);
                            long n = f.path("sent").asLong();
                            if (n > 0 && n < size && (sent.isEmpty() || n > sent.get(sent.size() - 1))) {
                                sent.add(n);
                            }
                        }
                    }
                }
            }
            assertThat(sent).as("bytes sent of recording 41 in successive snapshots").hasSize(3).isSorted();
            stream.body().close();

            front.throttleUploads(0);
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> result[0] != null);
            assertThat(result[0].status()).isEqualTo(PipelineResult.Status.COMPLETED);
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
                    json(get("api/live/snapshot", "Cookie", cookie)).path("recordings").isEmpty());
        }
    }
}
