package dev.reelay.bench;

import dev.reelay.FileOutcome;
import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingJob;
import dev.reelay.RecordingPipeline;
import dev.reelay.dashboard.DashboardOptions;
import dev.reelay.dashboard.DashboardServer;
import dev.reelay.dashboard.ReelayDashboard;
import dev.reelay.internal.outbox.SqliteOutbox;
import dev.reelay.outbox.Attempt;
import dev.reelay.outbox.Lease;
import dev.reelay.outbox.Outbox;
import dev.reelay.outbox.OutboxEntry;
import dev.reelay.outbox.OutboxOptions;
import dev.reelay.webhook.WebhookOutcome;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Workload 7: the dashboard. Two parts:
 * <ol>
 *   <li>reads of a journal (SQLite, on the run's disk) of 1,000 and of 100,000 entries, written
 *       through the Outbox API as runs write them (accepted, a file stored, an upload and a webhook
 *       attempt, a delivery, finished: 90 % complete, the rest parked, failed, partial or in flight),
 *       every attempt within the charts' window (the worst case for the overview): the median time of
 *       the recordings list's first page, of filtered pages (by state, by text, by endpoint) and of the
 *       overview, as the dashboard's HTTP API answers them on loopback;</li>
 *   <li>the pipeline's throughput (n recordings of 4 MiB + 50 KiB + 20 KiB, S3 on loopback) with nothing
 *       watching, against a dashboard open with a client reading the overview every second and
 *       following the live view.</li>
 * </ol>
 */
final class DashboardReads {

    private static final String TITLE = "7. Dashboard: reads at 1,000 and 100,000 entries, and the pipeline watched";
    private static final int READS = 21;

    private final Config config;
    private final S3Server s3;
    private final Receiver receiver;
    private final Path dir;

    DashboardReads(Config config, S3Server s3, Receiver receiver, Path dir) {
        this.config = config;
        this.s3 = s3;
        this.receiver = receiver;
        this.dir = dir;
    }

    Section run() {
        Section section = new Section(TITLE);
        reads(section);
        watched(section);
        return section;
    }

    // ---- 1. reads

    private void reads(Section section) {
        int large = config.dashboardEntries();
        int small = Math.min(1_000, large);
        Markdown table = Markdown.table("request (median of " + READS + ", ms)", Stats.f0(small) + " entries",
                Stats.f0(large) + " entries", "ratio");
        List<String> paths = List.of("api/recordings?limit=50", "api/recordings?state=parked&limit=50",
                "api/recordings?state=completed&limit=50&after=", "api/recordings?q=user-77%40example&limit=50",
                "api/recordings?endpoint=ops&state=webhook-failed&limit=50", "api/overview");
        List<String> labels = List.of("recordings, first page", "filtered by state (parked, 3 %)",
                "completed, the 11th page (keyset)", "filtered by text (one email in 1,000)",
                "filtered by endpoint and state (webhook failed, 4 %)", "overview (counts, charts, endpoint health)");
        Map<Integer, List<Double>> medians = new java.util.HashMap<>();
        long fillSeconds = 0;
        for (int n : List.of(small, large)) {
            long start = System.nanoTime();
            fill(dir.resolve("journal-" + n), n);
            fillSeconds = (System.nanoTime() - start) / 1_000_000_000L;
            Progress.say("7. a journal of %d entries written in %d s", n, fillSeconds);
        }
        // the small journal twice, the first time to warm the JIT up (unmeasured), then the large one
        for (int n : List.of(small, small, large)) {
            Path journal = dir.resolve("journal-" + n);
            List<Double> ms = new ArrayList<>();
            try (RecordingPipeline pipeline = RecordingPipeline.create(ReelayContender.options(s3.endpoint(), receiver.url())
                    .webhook(dev.reelay.webhook.WebhookEndpoint.builder(receiver.url()).name("ops").build())
                    .outbox(OutboxOptions.builder().directory(journal).build()).build());
                 DashboardServer dashboard = ReelayDashboard.create(pipeline, DashboardOptions.builder().port(0)
                         .accessToken("bench-token-0123456789").build()).start()) {
                HttpClient http = HttpClient.newHttpClient();
                for (String path : paths) {
                    String p = path.endsWith("after=") ? path + tenthPageCursor(http, dashboard) : path;
                    ms.add(median(http, dashboard, p));
                }
            }
            medians.put(n, ms);
            Progress.say("7. reads of %d entries: %s ms", n, ms);
        }
        for (int i = 0; i < paths.size(); i++) {
            double a = medians.get(small).get(i);
            double b = medians.get(large).get(i);
            table.row(labels.get(i), Stats.f1(a), Stats.f1(b), Stats.f1(b / a) + "×");
        }
        section.text("The journal (SQLite, WAL, synchronous FULL) written through `Outbox` as runs write it, then the "
                + "dashboard's JSON API read on loopback with its bearer token (JDK HttpClient, " + READS
                + " reads each, after 3 unmeasured ones); the " + Stats.f0(large) + "-entry journal took " + fillSeconds
                + " s to write. Every attempt lies within the charts' 6 hours: the overview reads them all.")
                .table(table);
        double firstPageRatio = medians.get(large).get(0) / medians.get(small).get(0);
        section.goal("recordings list, first page, " + Stats.f0(large) + " entries ≤ 3× its time at " + Stats.f0(small),
                Stats.f1(medians.get(large).get(0)) + " ms against " + Stats.f1(medians.get(small).get(0)) + " ms ("
                        + Stats.f1(firstPageRatio) + "×)", firstPageRatio <= 3);
        section.goal("overview at " + Stats.f0(large) + " entries < 1 s", Stats.f0(medians.get(large).get(5)) + " ms",
                medians.get(large).get(5) < 1000);
    }

    /** Writes {@code n} entries through the journal's API, 64 at a time, as runs would. */
    private void fill(Path journal, int n) {
        Instant now = Instant.now();
        long window = Duration.ofHours(6).toMillis() - 60_000;
        try (Outbox outbox = new SqliteOutbox(journal, Clock.systemUTC(), Duration.ofDays(7))) {
            Flux.range(1, n).flatMap(i -> entry(outbox, i, now.minusMillis(window - window * i / n)), 64)
                    .blockLast(Duration.ofMinutes(30));
        }
    }

    private static Mono<Void> entry(Outbox outbox, int i, Instant at) {
        Recording r = Recording.builder(i).title("Meeting " + i).createdAt(at)
                .user("user-" + (i % 1000), "user-" + (i % 1000) + "@example.com")
                .video(Path.of("/data/" + i + "/video.mkv")).build();
        FileOutcome video = new FileOutcome(FileRole.VIDEO, "video.mkv", i + "/video.mkv",
                "http://s3/b/" + i + "/video.mkv", 16 << 20, 3, null);
        int kind = i % 100;
        PipelineResult.Status status = kind < 90 ? PipelineResult.Status.COMPLETED : kind < 93 ? PipelineResult.Status.WEBHOOK_FAILED
                : kind < 97 ? PipelineResult.Status.WEBHOOK_FAILED : kind < 99 ? PipelineResult.Status.PARTIAL : null;
        OutboxEntry.State state = kind < 90 ? OutboxEntry.State.DONE : kind < 93 ? OutboxEntry.State.PARKED
                : OutboxEntry.State.PENDING;
        int code = kind < 90 ? 201 : kind < 93 ? 404 : 503;
        WebhookOutcome delivery = new WebhookOutcome("ops", "msg_" + i, kind < 90 ? WebhookOutcome.State.DELIVERED
                : kind < 93 ? WebhookOutcome.State.PARKED : WebhookOutcome.State.FAILED, code, 1, null,
                kind < 90 ? null : "status " + code);
        return outbox.accept(r, "v1").flatMap(a -> {
            Lease lease = a.lease();
            Mono<Void> writes = outbox.fileStored(lease, video)
                    .then(outbox.attempt(lease, new Attempt(i, Attempt.Kind.UPLOAD, "video.mkv", 1, at, Duration.ofMillis(900),
                            Attempt.Outcome.SUCCEEDED, 0, 3, 16 << 20, null, Map.of(), null, null)))
                    .then(outbox.attempt(lease, new Attempt(i, Attempt.Kind.WEBHOOK, "ops", 1, at.plusSeconds(1),
                            Duration.ofMillis(12), code == 201 ? Attempt.Outcome.SUCCEEDED : Attempt.Outcome.ANSWERED, code, 1,
                            700, "msg_" + i, Map.of("content-type", "application/json"),
                            "{\"status\":\"" + (code == 201 ? "success" : "error") + "\"}", null)))
                    .then(outbox.delivery(lease, delivery));
            if (status == null) {
                return writes; // in flight: never finished
            }
            RecordingJob job = RecordingJob.of(r).withUploads(status == PipelineResult.Status.PARTIAL
                    ? List.of(video, new FileOutcome(FileRole.TRANSCRIPT, "t.txt", "k", null, 1, 1, "failed"))
                    : List.of(video)).withWebhooks(List.of(delivery));
            return writes.then(outbox.finish(lease, job.result(), status == PipelineResult.Status.PARTIAL
                    ? OutboxEntry.State.PENDING : state, null));
        });
    }

    private static String tenthPageCursor(HttpClient http, DashboardServer dashboard) {
        String after = "";
        for (int page = 0; page < 10; page++) {
            String body = get(http, dashboard, "api/recordings?state=completed&limit=50&after=" + after);
            int i = body.lastIndexOf("\"next\":\"");
            if (i < 0) {
                return after;
            }
            after = body.substring(i + 8, body.indexOf('"', i + 8));
        }
        return after;
    }

    private static double median(HttpClient http, DashboardServer dashboard, String path) {
        for (int i = 0; i < 3; i++) {
            get(http, dashboard, path);
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < READS; i++) {
            long start = System.nanoTime();
            get(http, dashboard, path);
            ms.add((System.nanoTime() - start) / 1e6);
        }
        return Stats.median(ms);
    }

    private static String get(HttpClient http, DashboardServer dashboard, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path))
                    .header("Authorization", "Bearer bench-token-0123456789").build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- 2. the pipeline watched

    private void watched(Section section) {
        int n = Math.max(4, config.recordings() / 2);
        List<Recording> recordings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            recordings.add(Recordings.threeFiles(dir.resolve("watched"), 5_000_000 + i, 4L << 20, 50 << 10, 20 << 10));
        }
        Markdown table = Markdown.table("pipeline", "rounds", "wall time (s), median (min–max)", "MiB/s");
        List<Double> none = new ArrayList<>();
        List<Double> watched = new ArrayList<>();
        int rounds = Math.max(1, config.reps());
        long firstId = 6_000_000;
        for (int round = 0; round <= rounds; round++) {
            for (boolean watch : List.of(false, true)) {
                List<Recording> batch = Recordings.renumbered(recordings, firstId);
                firstId += n;
                double seconds = batch(batch, watch, round);
                if (round > 0) {
                    (watch ? watched : none).add(seconds);
                }
            }
        }
        double mib = Recordings.bytes(recordings) / 1048576.0;
        table.row("nothing watching", rounds, range(none), Stats.f1(mib / Stats.median(none)));
        table.row("dashboard open, overview read every second, live view followed", rounds, range(watched),
                Stats.f1(mib / Stats.median(watched)));
        double ratio = Stats.median(none) / Stats.median(watched);
        section.text(n + " recordings of 4 MiB + 50 KiB + 20 KiB (" + Stats.f0(mib) + " MiB) a round through "
                + "`process` with the defaults, S3 on loopback; rounds alternate, after one unmeasured round each.")
                .table(table)
                .goal("throughput with the dashboard watching ≥ 0.95× without", Stats.f2(ratio) + "×", ratio >= 0.95);
    }

    private static String range(List<Double> values) {
        return Stats.f2(Stats.median(values)) + " (" + Stats.f2(values.stream().mapToDouble(d -> d).min().orElse(0)) + "–"
                + Stats.f2(values.stream().mapToDouble(d -> d).max().orElse(0)) + ")";
    }

    private double batch(List<Recording> batch, boolean watch, int round) {
        Path journal = dir.resolve("watched-journal-" + round + "-" + watch);
        try (RecordingPipeline pipeline = RecordingPipeline.create(ReelayContender.options(s3.endpoint(), receiver.url())
                .outbox(OutboxOptions.builder().directory(journal).build()).build())) {
            DashboardServer dashboard = null;
            AtomicBoolean reading = new AtomicBoolean(watch);
            Thread reader = null;
            AtomicLong liveBytes = new AtomicLong();
            if (watch) {
                dashboard = ReelayDashboard.create(pipeline, DashboardOptions.builder().port(0)
                        .accessToken("bench-token-0123456789").build()).start();
                DashboardServer d = dashboard;
                reader = new Thread(() -> watchDashboard(d, reading, liveBytes), "bench-dashboard-reader");
                reader.setDaemon(true);
                reader.start();
            }
            try {
                long start = System.nanoTime();
                List<PipelineResult> results = pipeline.process(Flux.fromIterable(batch)).collectList()
                        .block(Duration.ofMinutes(10));
                double seconds = (System.nanoTime() - start) / 1e9;
                long ok = results.stream().filter(r -> r.status() == PipelineResult.Status.COMPLETED).count();
                if (ok != batch.size()) {
                    throw new IllegalStateException("only " + ok + " of " + batch.size() + " completed");
                }
                Progress.say("7. watched=%s round %d: %.2f s%s", watch, round, seconds,
                        watch ? " (" + liveBytes.get() + " bytes of live view read)" : "");
                return seconds;
            } finally {
                reading.set(false);
                if (dashboard != null) {
                    dashboard.close();
                }
                if (reader != null) {
                    try {
                        reader.join(5000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }

    /** Reads the overview every second and follows the live view's stream, as an open page does. */
    private static void watchDashboard(DashboardServer dashboard, AtomicBoolean reading, AtomicLong liveBytes) {
        HttpClient http = HttpClient.newHttpClient();
        Thread live = new Thread(() -> {
            try {
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + "api/live"))
                        .header("Authorization", "Bearer bench-token-0123456789").build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    byte[] buffer = new byte[8192];
                    for (int k; reading.get() && (k = in.read(buffer)) >= 0; ) {
                        liveBytes.addAndGet(k);
                    }
                }
            } catch (Exception e) {
                // the dashboard closed under it: the round is over
            }
        }, "bench-live-view");
        live.setDaemon(true);
        live.start();
        while (reading.get()) {
            try {
                get(http, dashboard, "api/overview");
                Thread.sleep(1000);
            } catch (RuntimeException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
