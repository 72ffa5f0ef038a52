package dev.reelay.examples;

import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import dev.reelay.event.RecordingFinished;
import dev.reelay.micrometer.ReelayMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * Reelay's meters in Prometheus' format, on a small HTTP endpoint, while a few recordings run:
 *
 * <pre>
 * mvn -q -f examples/pom.xml compile exec:java -Dexec.mainClass=dev.reelay.examples.PrometheusMetrics
 * REELAY_METRICS_PORT=9464 REELAY_METRICS_HOLD=300 mvn -q -f examples/pom.xml compile exec:java \
 *     -Dexec.mainClass=dev.reelay.examples.PrometheusMetrics     # then: curl localhost:9464/metrics
 * </pre>
 *
 * <p>It binds {@link ReelayMetrics} to a {@code PrometheusMeterRegistry}, serves
 * {@code GET /metrics} with Reactor Netty on {@code REELAY_METRICS_PORT} (0, the default, takes a
 * free port and prints it), runs {@code REELAY_METRICS_RECORDINGS} recordings (3) against the same
 * embedded S3 server and receiver as {@link QuickStart} (or the services the {@code REELAY_*}
 * variables name), prints the events as they come, scrapes its own endpoint once and prints
 * Reelay's lines. {@code REELAY_METRICS_HOLD} keeps the endpoint up for that many seconds more.
 *
 * <p>Exit status: 0 when every recording is {@code COMPLETED} and the scrape counts them, 1
 * otherwise, 2 when a variable is malformed.
 */
public final class PrometheusMetrics {

    public static void main(String[] args) {
        System.exit(new PrometheusMetrics().run(System.getenv(), System.out));
    }

    /** Runs the example, printing to {@code out}; answers the exit status. */
    public int run(Map<String, String> env, PrintStream out) {
        QuickStartConfig config;
        int port;
        int count;
        int hold;
        try {
            config = QuickStartConfig.fromEnvironment(env);
            port = number(env, "REELAY_METRICS_PORT", 0, 0, 65535);
            count = number(env, "REELAY_METRICS_RECORDINGS", 3, 1, 100);
            hold = number(env, "REELAY_METRICS_HOLD", 0, 0, 86_400);
        } catch (IllegalArgumentException e) {
            e.getMessage().lines().forEach(problem -> out.println("error: " + problem));
            return 2;
        }
        out.println("Reelay PrometheusMetrics: " + count + " recordings, their meters on /metrics");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (DemoServices services = DemoServices.start(config);
             DemoRecording demo = DemoRecording.create(config, out);
             RecordingPipeline pipeline = RecordingPipeline.create(services.pipelineOptions().build());
             ReelayMetrics metrics = ReelayMetrics.builder(pipeline).percentileHistogram(true).build()) {
            services.describe().forEach(line -> out.println("  " + line));
            metrics.bindTo(registry);
            DisposableServer server = HttpServer.create()
                    .host("127.0.0.1")
                    .port(port)
                    .route(routes -> routes.get("/metrics", (request, response) -> response
                            .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                            // a scrape formats every meter: not on the event loop
                            .sendString(Mono.fromCallable(registry::scrape).subscribeOn(Schedulers.boundedElastic()))))
                    .bindNow();
            String url = "http://127.0.0.1:" + server.port() + "/metrics";
            out.println("  metrics    " + url);
            Disposable printing = pipeline.events().ofType(RecordingFinished.class)
                    .subscribe(e -> out.println("  event      recording " + e.recordingId() + " finished "
                            + e.status() + " in " + e.duration().toMillis() + " ms"));
            try {
                return runAndScrape(pipeline, demo.recording(), count, url, hold, out);
            } finally {
                printing.dispose();
                server.disposeNow();
            }
        } catch (IOException | RuntimeException e) {
            out.println("error: " + e);
            return 1;
        } finally {
            registry.close();
        }
    }

    private static int runAndScrape(RecordingPipeline pipeline, Recording demo, int count, String url, int hold,
                                    PrintStream out) {
        List<PipelineResult> results = pipeline.process(Flux.range(0, count).map(i -> copy(demo, demo.id() + i)))
                .collectList()
                .block(); // fine in main; never inside a reactive chain
        boolean completed = results.stream().allMatch(r -> r.status() == PipelineResult.Status.COMPLETED);
        results.stream().filter(r -> r.status() != PipelineResult.Status.COMPLETED)
                .forEach(r -> out.println("  not completed: " + r.recordingId() + " " + r.status() + " "
                        + r.reason().orElse("")));

        // the meters follow the events: give them a moment to take the last ones
        String scraped = Flux.interval(Duration.ZERO, Duration.ofMillis(200))
                .concatMap(t -> scrape(url))
                .filter(text -> completedCount(text) >= count || !completed)
                .take(Duration.ofSeconds(10))
                .next()
                .switchIfEmpty(scrape(url))
                .block();
        Printing.section(out, "Reelay's lines of GET " + url);
        scraped.lines()
                .filter(line -> line.startsWith("reelay_") && !line.contains("_bucket{"))
                .forEach(line -> out.println("  " + line));
        out.println("  (and " + scraped.lines().filter(line -> line.startsWith("reelay_") && line.contains("_bucket{"))
                .count() + " histogram buckets, for histogram_quantile())");
        out.println();
        out.println("Result: " + count + " recordings, " + (completed ? "all COMPLETED" : "not all COMPLETED")
                + "; reelay_recordings_total{status=\"completed\"} " + completedCount(scraped));
        if (hold > 0) {
            out.println("Serving " + url + " for " + hold + " s more");
            Mono.delay(Duration.ofSeconds(hold)).block();
        }
        return completed && completedCount(scraped) == count ? 0 : 1;
    }

    private static Mono<String> scrape(String url) {
        return HttpClient.create().get().uri(url).responseContent().aggregate().asString(StandardCharsets.UTF_8);
    }

    /** The value of {@code reelay_recordings_total{status="completed"}} in a scrape, 0 when absent. */
    static long completedCount(String scrape) {
        return scrape.lines()
                .filter(line -> line.startsWith("reelay_recordings_total{") && line.contains("status=\"completed\""))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .mapToLong(value -> (long) Double.parseDouble(value))
                .findFirst().orElse(0);
    }

    /** The demo recording under another id: the same files, stored again under that id. */
    private static Recording copy(Recording demo, long id) {
        Recording.Builder b = Recording.builder(id).title(demo.title() + " #" + id).createdAt(demo.createdAt())
                .user(demo.user());
        demo.declaredDuration().ifPresent(b::declaredDuration);
        demo.files().forEach(b::file);
        return b.build();
    }

    private static int number(Map<String, String> env, String name, int byDefault, int min, int max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return byDefault;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max + ", was " + value);
    }
}
