package dev.reelay.bench;

import dev.reelay.RecordingMetadata;
import dev.reelay.webhook.WebhookClient;
import dev.reelay.webhook.WebhookEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Workload 4: webhook deliveries to the receiver (answering at once), {@value #CONCURRENCY} at
 * a time, with Reelay's public {@link WebhookClient} and with the JDK's HttpClient sending the
 * same bodies. Latency runs from the moment a delivery is started to its outcome.
 */
final class WebhookDelivery {

    static final int CONCURRENCY = 16;

    /** One measured run. */
    record Measured(long nanos, long[] latencies, int delivered) {
        double perSecond() {
            return latencies.length / (nanos / 1e9);
        }

        long p(double percentile) {
            return Stats.percentile(Stats.sorted(latencies), percentile);
        }
    }

    private interface Client {
        String name();

        Measured deliver(List<RecordingMetadata> documents);
    }

    private final Config config;
    private final Receiver receiver;

    WebhookDelivery(Config config, Receiver receiver) {
        this.config = config;
        this.receiver = receiver;
    }

    Section run() {
        int n = config.deliveries();
        receiver.delay(Duration.ZERO);
        List<RecordingMetadata> documents = LongStream.rangeClosed(1, n)
                .mapToObj(id -> Recordings.webhookDocument(id, "http://127.0.0.1:9000/" + S3ServerMain.BUCKET))
                .toList();
        int bodyBytes = documents.get(0).toJson().length;
        List<Client> clients = List.of(new ReelayClient(WebhookEndpoint.of(receiver.url())), new JdkClient(URI.create(receiver.url())));
        for (Client c : clients) {
            Measured m = measure(c, documents);
            Progress.say("4. webhooks: warm-up %-26s %,8.0f/s  p50 %s ms  p99 %s ms", c.name(), m.perSecond(),
                    Stats.ms(m.p(50)), Stats.ms(m.p(99)));
        }
        Map<Client, List<Measured>> runs = new LinkedHashMap<>();
        clients.forEach(c -> runs.put(c, new ArrayList<>()));
        for (int rep = 0; rep < config.reps(); rep++) {
            for (int i = 0; i < clients.size(); i++) {
                Client c = clients.get((i + rep) % clients.size());
                Measured m = measure(c, documents);
                runs.get(c).add(m);
                Progress.say("4. webhooks: rep %d/%d %-26s %,8.0f/s  p50 %s ms  p99 %s ms", rep + 1, config.reps(),
                        c.name(), m.perSecond(), Stats.ms(m.p(50)), Stats.ms(m.p(99)));
            }
        }

        Markdown table = Markdown.table("client", "deliveries/s (median)", "p50 latency (ms)", "p99 latency (ms)",
                "runs (deliveries/s)", "delivered per run");
        Map<Client, Double> rates = new LinkedHashMap<>();
        for (Map.Entry<Client, List<Measured>> e : runs.entrySet()) {
            List<Measured> ms = e.getValue();
            double rate = Stats.median(ms.stream().map(Measured::perSecond).toList());
            rates.put(e.getKey(), rate);
            table.row(e.getKey().name(), Stats.f0(rate),
                    Stats.f2(Stats.median(ms.stream().map(m -> m.p(50) / 1e6).toList())),
                    Stats.f2(Stats.median(ms.stream().map(m -> m.p(99) / 1e6).toList())),
                    ms.stream().map(m -> Stats.f0(m.perSecond())).collect(Collectors.joining(", ")),
                    ms.stream().map(m -> String.valueOf(m.delivered())).distinct().collect(Collectors.joining(", ")));
        }
        double ratio = rates.get(clients.get(0)) / rates.get(clients.get(1));
        return new Section("4. Webhook delivery: " + String.format("%,d", n) + " deliveries, " + CONCURRENCY + " at a time")
                .text("Bodies are metadata documents of " + bodyBytes + " bytes (a distinct recording_id each, so the "
                        + "receiver answers 201). " + config.reps() + " runs per client after a warm-up run of each, "
                        + "alternating; each run builds its client. "
                        + "Reelay's `WebhookClient.create()` adds the Standard Webhooks headers and the JSON reply parsing "
                        + "that the baseline does not do; its connection pool has 8 connections.")
                .table(table)
                .text("Reelay / JDK throughput: " + Stats.f2(ratio) + "×.");
    }

    private Measured measure(Client c, List<RecordingMetadata> documents) {
        receiver.reset();
        Measured m = c.deliver(documents);
        Receiver.Counts counts = receiver.counts();
        if (m.delivered() != documents.size() || counts.created() != documents.size()) {
            throw new IllegalStateException(c.name() + ": " + m.delivered() + " of " + documents.size()
                    + " delivered; receiver counted " + counts);
        }
        return m;
    }

    /** Reelay's public client: {@code WebhookClient.create().send(endpoint, metadata)}. */
    private static final class ReelayClient implements Client {
        private final WebhookEndpoint endpoint;

        ReelayClient(WebhookEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public String name() {
            return "Reelay WebhookClient";
        }

        @Override
        public Measured deliver(List<RecordingMetadata> documents) {
            long[] latencies = new long[documents.size()];
            AtomicInteger delivered = new AtomicInteger();
            long start = System.nanoTime();
            try (WebhookClient client = WebhookClient.create()) {
                Flux.range(0, documents.size())
                        .flatMap(i -> Mono.defer(() -> {
                            long t0 = System.nanoTime();
                            return client.send(endpoint, documents.get(i)).doOnNext(outcome -> {
                                latencies[i] = System.nanoTime() - t0;
                                if (outcome.delivered()) {
                                    delivered.incrementAndGet();
                                }
                            });
                        }), CONCURRENCY)
                        .blockLast();
                return new Measured(System.nanoTime() - start, latencies, delivered.get());
            }
        }
    }

    /** The baseline: the JDK's HttpClient (HTTP/1.1) sending the same JSON with {@code sendAsync}. */
    private static final class JdkClient implements Client {
        private final URI url;

        JdkClient(URI url) {
            this.url = url;
        }

        @Override
        public String name() {
            return "baseline: JDK HttpClient";
        }

        @Override
        public Measured deliver(List<RecordingMetadata> documents) {
            long[] latencies = new long[documents.size()];
            AtomicInteger delivered = new AtomicInteger();
            long start = System.nanoTime();
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            Flux.range(0, documents.size())
                    .flatMap(i -> Mono.defer(() -> {
                        long t0 = System.nanoTime();
                        HttpRequest post = HttpRequest.newBuilder(url)
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(documents.get(i).toJson()))
                                .build();
                        return Mono.fromFuture(() -> http.sendAsync(post, HttpResponse.BodyHandlers.ofByteArray()))
                                .doOnNext(response -> {
                                    latencies[i] = System.nanoTime() - t0;
                                    if (response.statusCode() == 201 || response.statusCode() == 200) {
                                        delivered.incrementAndGet();
                                    }
                                });
                    }), CONCURRENCY)
                    .blockLast();
            return new Measured(System.nanoTime() - start, latencies, delivered.get());
        }
    }
}
