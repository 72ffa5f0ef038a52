package dev.reelay.bench;

import dev.reelay.Recording;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Workload 1: a batch of recordings (a 16 MiB video, a 50 KiB thumbnail and a 20 KiB transcript
 * each, random bytes) through contender A, contender B and Reelay, against the same S3 server
 * and receiver, repetitions interleaved, the bucket cleared before every run. With
 * {@code bench.s3LatencyMs} above 0 every contender reaches the S3 server through a
 * {@link LatencyProxyMain} that delays each direction by that much; with {@code bench.s3Loopback}
 * the same rounds run again straight on loopback, for comparison. The goals read the first.
 */
final class BatchThroughput {

    static final long VIDEO = 16L * BenchFiles.MiB;
    static final long THUMBNAIL = 50L * BenchFiles.KiB;
    static final long TRANSCRIPT = 20L * BenchFiles.KiB;

    /** One measured run. */
    record Measured(long nanos, Proc.Cpu cpu, S3Server.Count stored, Receiver.Counts webhooks) {
        double seconds() {
            return nanos / 1e9;
        }
    }

    /** The rounds at one latency. */
    private record Rounds(int latencyMs, List<Contender> contenders, Map<Contender, List<Measured>> runs) {
    }

    private final Config config;
    private final S3Server s3;
    private final Receiver receiver;
    private final Path dir;

    BatchThroughput(Config config, S3Server s3, Receiver receiver, Path dir) {
        this.config = config;
        this.s3 = s3;
        this.receiver = receiver;
        this.dir = dir;
    }

    Section run() {
        int n = config.recordings();
        Progress.say("1. batch: writing %d recordings of %d MiB + 50 KiB + 20 KiB", n, VIDEO / BenchFiles.MiB);
        List<Recording> recordings = LongStream.rangeClosed(1, n)
                .mapToObj(id -> Recordings.threeFiles(dir, id, VIDEO, THUMBNAIL, TRANSCRIPT))
                .toList();
        long bytes = Recordings.bytes(recordings);
        receiver.delay(Duration.ZERO);

        Section section = new Section("1. Batch throughput")
                .text(n + " recordings, each a " + VIDEO / BenchFiles.MiB + " MiB video, a 50 KiB thumbnail and a 20 KiB "
                        + "transcript of random bytes: " + Stats.mib(bytes) + " MiB of files per run. A warm-up round, then "
                        + config.reps() + " rounds, each contender once per round in a different order each round; the "
                        + "bucket is cleared and the receiver reset before every run. Wall time runs from building the "
                        + "clients to the last recording done (closing them excluded); MiB/s counts the recordings' files "
                        + "only. Every run is checked: all objects and bytes in the bucket, one 201 per recording at the "
                        + "receiver (A and Reelay), and, through the proxy, at least the files' bytes carried. \"Others' "
                        + "CPU\" is the machine's busy time that is none of the benchmark's processes (other work on the "
                        + "machine, kernel threads): when it is high, that run was disturbed. \"S3 server read / wrote\" "
                        + "are the bytes of its read(2)/write(2) calls, sockets and files together. With a latency, every "
                        + "contender's S3 traffic (not the webhooks) goes through `LatencyProxyMain`, a child JVM that "
                        + "holds each chunk until its arrival plus the delay, each way: a round trip costs twice the "
                        + "delay, bandwidth is not limited, TCP handshakes are not delayed; its CPU is in the CPU column. "
                        + "Reelay runs with its defaults, so it journals every recording in its SQLite outbox (in the "
                        + "run's temporary directory: the table at the top says where, and whether that was tmpfs).");
        for (int latencyMs : config.s3Latencies()) {
            Rounds rounds;
            if (latencyMs > 0) {
                try (LatencyProxy proxy = LatencyProxy.start(s3.endpoint(), latencyMs)) {
                    Progress.say("1. batch: latency proxy (pid %d) at %s, %d ms each way", proxy.jvm().pid(),
                            proxy.endpoint(), latencyMs);
                    rounds = rounds(proxy.endpoint(), proxy, recordings, bytes);
                }
            } else {
                rounds = rounds(s3.endpoint(), null, recordings, bytes);
            }
            report(section, rounds, n, bytes, latencyMs == config.s3LatencyMs());
        }
        return section;
    }

    private Rounds rounds(S3Endpoint endpoint, LatencyProxy proxy, List<Recording> recordings, long bytes) {
        int latencyMs = proxy == null ? 0 : proxy.delayMs();
        String at = latencyMs + " ms:";
        List<Contender> contenders = new ArrayList<>(List.of(new SequentialUploader(endpoint, receiver.url()),
                new BareAsyncUploader(endpoint, ReelayContender.options(endpoint, receiver.url()).build().uploadsInFlight()),
                ReelayContender.defaults(endpoint, receiver.url())));
        if (Boolean.getBoolean("bench.observe")) { // the cost of watching: a second Reelay row, with everything on
            contenders.add(ReelayContender.observed(endpoint, receiver.url()));
        }
        // A whole round first: the S3 server's JIT needs gigabytes of traffic before it runs at speed.
        for (Contender c : contenders) {
            Measured m = measure(c, recordings, proxy);
            Progress.say("1. batch %s warm-up   %-14s %6.2f s  %6.1f MiB/s", at, c.name(), m.seconds(),
                    bytes / 1048576.0 / m.seconds());
        }
        Map<Contender, List<Measured>> runs = new LinkedHashMap<>();
        contenders.forEach(c -> runs.put(c, new ArrayList<>()));
        for (int rep = 0; rep < config.reps(); rep++) {
            for (int i = 0; i < contenders.size(); i++) {
                Contender c = contenders.get((i + rep) % contenders.size()); // a different order each repetition
                Measured m = measure(c, recordings, proxy);
                runs.get(c).add(m);
                Progress.say("1. batch %s rep %d/%d %-14s %6.2f s  %6.1f MiB/s (others' CPU %.1f s)", at, rep + 1,
                        config.reps(), c.name(), m.seconds(), bytes / 1048576.0 / m.seconds(), m.cpu().others() / 1e9);
            }
        }
        return new Rounds(latencyMs, contenders, runs);
    }

    private Measured measure(Contender c, List<Recording> recordings, LatencyProxy proxy) {
        s3.clear();
        receiver.reset();
        LatencyProxy.Stats before = proxy == null ? null : proxy.stats();
        Stopwatch stopwatch = new Stopwatch(() -> Proc.Cpu.now(s3.jvm(), receiver.jvm(), proxy == null ? null : proxy.jvm()));
        Contender.Outcome outcome = c.run(recordings, stopwatch);
        S3Server.Count stored = s3.count();
        Receiver.Counts webhooks = receiver.counts();
        check(c, recordings, outcome, stored, webhooks);
        if (proxy != null) {
            long up = proxy.stats().bytesUp() - before.bytesUp();
            if (up < Recordings.bytes(recordings)) {
                throw new IllegalStateException(c.name() + ": only " + up + " bytes went through the latency proxy");
            }
        }
        return new Measured(stopwatch.nanos(), stopwatch.cpu(), stored, webhooks);
    }

    /** Every run must have done the whole job, or its time means nothing. */
    private static void check(Contender c, List<Recording> recordings, Contender.Outcome outcome, S3Server.Count stored,
                              Receiver.Counts webhooks) {
        int n = recordings.size();
        long fileBytes = Recordings.bytes(recordings);
        List<String> problems = new ArrayList<>();
        if (outcome.recordingsOk() != n) {
            problems.add(outcome.recordingsOk() + " of " + n + " recordings done; first problem: " + outcome.firstProblem());
        }
        if (stored.objects() != (long) n * c.objectsPerRecording()) {
            problems.add(stored.objects() + " objects stored, expected " + (long) n * c.objectsPerRecording());
        }
        boolean bytesOk = c.objectsPerRecording() == 3 ? stored.bytes() == fileBytes
                : stored.bytes() > fileBytes && stored.bytes() < fileBytes + n * 8192L;
        if (!bytesOk) {
            problems.add(stored.bytes() + " bytes stored for " + fileBytes + " bytes of files");
        }
        long expectedWebhooks = c.sendsWebhooks() ? n : 0;
        if (webhooks.created() != expectedWebhooks || webhooks.updated() + webhooks.notFound() + webhooks.badRequest() != 0) {
            problems.add("receiver counted " + webhooks + ", expected " + expectedWebhooks + " created");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(c.name() + ": " + String.join("; ", problems));
        }
    }

    private void report(Section section, Rounds rounds, int n, long bytes, boolean goals) {
        double mib = bytes / 1048576.0;
        int latencyMs = rounds.latencyMs();
        String where = latencyMs > 0 ? "S3 +" + latencyMs + " ms each way" : "S3 on loopback";
        Map<Contender, List<Measured>> runs = rounds.runs();
        List<Contender> contenders = rounds.contenders();
        Map<Contender, Double> wall = new LinkedHashMap<>();
        Markdown table = Markdown.table("contender (" + where + ")", "wall time (s, median)", "MiB/s", "recordings/s",
                "runs (s)", "CPU s: harness / S3 server / receiver" + (latencyMs > 0 ? " / proxy" : ""), "others' CPU s",
                "S3 server read / wrote (MiB)", "stored per run");
        for (Map.Entry<Contender, List<Measured>> e : runs.entrySet()) {
            List<Measured> ms = e.getValue();
            double seconds = Stats.median(ms.stream().map(Measured::seconds).toList());
            wall.put(e.getKey(), seconds);
            Measured last = ms.get(ms.size() - 1);
            table.row(e.getKey().name(), Stats.f2(seconds), Stats.f1(mib / seconds), Stats.f2(n / seconds),
                    ms.stream().map(m -> Stats.f2(m.seconds())).collect(Collectors.joining(", ")),
                    median(ms, c -> c.harness()) + " / " + median(ms, c -> c.s3()) + " / " + median(ms, c -> c.receiver())
                            + (latencyMs > 0 ? " / " + median(ms, c -> c.proxy()) : ""),
                    median(ms, Proc.Cpu::others),
                    Stats.f0(Stats.median(ms.stream().map(m -> m.cpu().s3Read() / 1048576.0).toList())) + " / "
                            + Stats.f0(Stats.median(ms.stream().map(m -> m.cpu().s3Written() / 1048576.0).toList())),
                    last.stored().objects() + " objects, " + last.webhooks().created() + " webhooks");
        }
        Contender a = contenders.get(0);
        Contender b = contenders.get(1);
        Contender reelay = contenders.get(2);
        double vsA = wall.get(a) / wall.get(reelay);
        double vsB = wall.get(b) / wall.get(reelay);
        Markdown ratios = Markdown.table("ratio of throughputs (" + where + ")", "from the medians", "per repetition",
                        "goal", "met")
                .row("Reelay / A", Stats.f2(vsA) + "×", perRep(runs.get(a), runs.get(reelay)), goals ? "≥ 3×" : "",
                        goals ? (vsA >= 3 ? "yes" : "**no**") : "")
                .row("Reelay / B", Stats.f2(vsB) + "×", perRep(runs.get(b), runs.get(reelay)), goals ? "≥ 0.9×" : "",
                        goals ? (vsB >= 0.9 ? "yes" : "**no**") : "")
                .row("B / A (the ceiling over A)", Stats.f2(wall.get(a) / wall.get(b)) + "×", perRep(runs.get(a), runs.get(b)),
                        "", "");
        if (contenders.size() > 3) { // -Dbench.observe=true: what watching costs, as Reelay's time over the watched one's
            Contender observed = contenders.get(3);
            double cost = wall.get(reelay) / wall.get(observed);
            ratios.row("Reelay / Reelay observed (events, metrics, traces)", Stats.f3(cost) + "×",
                    perRep(runs.get(reelay), runs.get(observed)), "≥ 0.98×", cost >= 0.98 ? "yes" : "**no**");
        }
        if (latencyMs == config.s3Latencies().get(0)) {
            Markdown what = Markdown.table("contender", "how");
            contenders.forEach(c -> what.row(c.name(), c.description()));
            section.table(what);
        }
        section.text("### " + (latencyMs > 0 ? "S3 " + latencyMs + " ms away: one-way latency " + latencyMs
                        + " ms, round trip " + 2 * latencyMs + " ms, through the latency proxy"
                        : "S3 on loopback: no added latency, no proxy")
                        + (goals && config.s3Latencies().size() > 1 ? " (the goals read this table)" : ""))
                .table(table)
                .table(ratios);
        if (goals) {
            String suffix = latencyMs > 0 ? " (workload 1, " + latencyMs + " ms each way)" : " (workload 1, loopback)";
            section.goal("Reelay ≥ 3× A" + suffix, Stats.f2(vsA) + "× (B, the ceiling, is "
                            + Stats.f2(wall.get(a) / wall.get(b)) + "× A)", vsA >= 3)
                    .goal("Reelay ≥ 0.9× B" + suffix, Stats.f2(vsB) + "×", vsB >= 0.9);
        }
    }

    private static String median(List<Measured> runs, java.util.function.ToLongFunction<Proc.Cpu> part) {
        return Stats.f1(Stats.median(runs.stream().map(m -> part.applyAsLong(m.cpu()) / 1e9).toList()));
    }

    /** The range of {@code slow / fast} over the repetitions, each pair from the same round. */
    private static String perRep(List<Measured> slow, List<Measured> fast) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(slow.size(), fast.size()); i++) {
            r.add(slow.get(i).seconds() / fast.get(i).seconds());
        }
        double min = r.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = r.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return Stats.f2(min) + "–" + Stats.f2(max) + "× (median " + Stats.f2(Stats.median(r)) + "×)";
    }
}
