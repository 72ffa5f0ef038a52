package dev.reelay.bench;

import dev.reelay.Recording;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;

/**
 * Workload 1: a batch of recordings (a 16 MiB video, a 50 KiB thumbnail and a 20 KiB transcript
 * each, random bytes) through contender A, contender B, Reelay warm in the harness, Reelay as a
 * whole process, and the tools users would pick instead (rclone, the AWS CLI, each a whole
 * process, upload only), against the same S3 server and receiver, repetitions interleaved, the
 * bucket cleared before every run. With {@code bench.s3LatencyMs} above 0 every contender
 * reaches the S3 server through a {@link LatencyProxyMain} that delays each direction by that
 * much; with {@code bench.s3Loopback} the same rounds run again straight on loopback. The goals
 * of A and B read the first; those against the tools read both.
 */
final class BatchThroughput {

    static final long VIDEO = 16L * BenchFiles.MiB;
    static final long THUMBNAIL = 50L * BenchFiles.KiB;
    static final long TRANSCRIPT = 20L * BenchFiles.KiB;

    /**
     * One measured run: the wall time, the contender's own CPU time (the harness's for a contender inside it, the
     * process tree's for a whole process), everyone's CPU time, and what the contender measured itself.
     */
    record Measured(long nanos, long clientCpu, Proc.Cpu cpu, S3Server.Count stored, Receiver.Counts webhooks,
                    Map<String, Double> figures) {
        double seconds() {
            return nanos / 1e9;
        }

        double clientCpuSeconds() {
            return clientCpu / 1e9;
        }
    }

    /** The contenders of one latency; a tool this machine does not have is null, and a row that says so. */
    record Lineup(Contender a, Contender b, Contender warm, Contender cold, Contender rclone, Contender aws) {
        List<Contender> all() {
            List<Contender> all = new ArrayList<>(List.of(a, b, warm, cold));
            if (rclone != null) {
                all.add(rclone);
            }
            if (aws != null) {
                all.add(aws);
            }
            return all;
        }
    }

    /** The rounds at one latency. */
    record Rounds(int latencyMs, Lineup lineup, Map<Contender, List<Measured>> runs) {
        double median(Contender c, ToDoubleFunction<Measured> figure) {
            return Stats.median(runs.get(c).stream().map(figure::applyAsDouble).toList());
        }

        double wall(Contender c) {
            return median(c, Measured::seconds);
        }
    }

    private final Config config;
    private final S3Server s3;
    private final Receiver receiver;
    private final Path dir;
    /** The recordings' directory, which holds nothing else: the tools upload it whole. */
    private final Path recordingsDir;
    private final ExternalTool rclone;
    private final ExternalTool aws;
    /** The first recording id of the next run: every run its own ids (see {@link Recordings#renumbered}). */
    private long nextId = 1;
    /** The contenders that ran a warm-up run already, by name. */
    private final Set<String> warmedUp = new HashSet<>();

    BatchThroughput(Config config, S3Server s3, Receiver receiver, Path dir) {
        this.config = config;
        this.s3 = s3;
        this.receiver = receiver;
        this.dir = dir;
        this.recordingsDir = dir.resolve("recordings");
        this.rclone = RcloneUploader.find();
        this.aws = AwsCliUploader.find();
    }

    Section run() {
        int n = config.recordings();
        for (ExternalTool t : List.of(rclone, aws)) {
            Progress.say("1. batch: %s", t.installed() ? t.name() + " is " + t.executable() + ": " + t.version()
                    : t.name() + " " + t.notInstalled());
        }
        Progress.say("1. batch: writing %d recordings of %d MiB + 50 KiB + 20 KiB", n, VIDEO / BenchFiles.MiB);
        List<Recording> recordings = LongStream.rangeClosed(1, n)
                .mapToObj(id -> Recordings.threeFiles(recordingsDir, id, VIDEO, THUMBNAIL, TRANSCRIPT))
                .toList();
        long bytes = Recordings.bytes(recordings);
        receiver.delay(Duration.ZERO);

        Section section = new Section("1. Batch throughput")
                .text(n + " recordings, each a " + VIDEO / BenchFiles.MiB + " MiB video, a 50 KiB thumbnail and a 20 KiB "
                        + "transcript of random bytes: " + Stats.mib(bytes) + " MiB of files per run. A warm-up round (whole "
                        + "processes only before the first table: they are cold by design, and their warm-up is for the "
                        + "page cache), then "
                        + config.reps() + " rounds, each contender once per round in a different order each round; the "
                        + "bucket is cleared and the receiver reset before every run, and every run takes new recording "
                        + "ids (Reelay's journal answers a recording it completed from its record).\n\n"
                        + "Two ways of timing. A contender **in the harness** (A, B, Reelay warm) runs in the harness's "
                        + "JVM, warmed up by the rounds before it: from building its clients to its last recording done, "
                        + "closing them excluded; its client CPU is the harness JVM's. A **whole process** (Reelay's "
                        + "`ReelayProcessMain`, rclone, the AWS CLI) is timed from starting it to its exit, so its start "
                        + "(a JVM's, a Python interpreter's), a cold first run and its shutdown count, as they do for a "
                        + "user who runs a batch and stops; its client CPU is the user + system time of its process tree "
                        + "(`getrusage` of the harness's children, read from /proc/self/stat once it was waited for). "
                        + "rclone and the AWS CLI are upload only: they store the files and neither write metadata.json "
                        + "nor send webhooks, which A and both Reelay rows do. \"× aws-cli\" and \"× rclone\" are "
                        + "throughputs relative to that tool's (its median wall time over this row's): above 1 is faster.\n\n"
                        + "MiB/s counts the recordings' files only. Every run is checked: all objects and bytes in the "
                        + "bucket, one 201 per recording at the receiver (A and Reelay), and, through the proxy, at least "
                        + "the files' bytes carried. \"Others' CPU\" is the machine's busy time that is none of the "
                        + "benchmark's processes (other work on the machine, kernel threads): when it is high, that run was "
                        + "disturbed. \"S3 server read / wrote\" are the bytes of its read(2)/write(2) calls, sockets and "
                        + "files together (a multipart upload writes its parts, then the object). With a latency, every "
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
            new BatchReport(config, List.of(rclone, aws)).write(section, rounds, bytes, latencyMs == config.s3LatencyMs());
        }
        return section;
    }

    private Lineup lineup(S3Endpoint endpoint) {
        int uploadsInFlight = ReelayContender.options(endpoint, receiver.url()).build().uploadsInFlight();
        return new Lineup(new SequentialUploader(endpoint, receiver.url()),
                new BareAsyncUploader(endpoint, uploadsInFlight),
                ReelayContender.defaults(endpoint, receiver.url()),
                new ReelayProcess(endpoint, receiver.url(), dir.resolve("reelay-process")),
                rclone.installed() ? new RcloneUploader(rclone, endpoint, recordingsDir, dir.resolve("rclone")) : null,
                aws.installed() ? new AwsCliUploader(aws, endpoint, recordingsDir, dir.resolve("aws-cli")) : null);
    }

    private Rounds rounds(S3Endpoint endpoint, LatencyProxy proxy, List<Recording> recordings, long bytes) {
        int latencyMs = proxy == null ? 0 : proxy.delayMs();
        String at = latencyMs + " ms:";
        Lineup lineup = lineup(endpoint);
        List<Contender> contenders = lineup.all();
        // A whole round first: the S3 server's JIT needs gigabytes of traffic before it runs at speed. A whole process
        // is cold by design and needs a warm-up only for the page cache (an interpreter's modules, the tools' data
        // files), which stays warm for the next table: it warms up before the first table only.
        for (Contender c : contenders) {
            if (c.wholeProcess() && warmedUp.contains(c.name())) {
                continue;
            }
            warmedUp.add(c.name());
            Measured m = measure(c, recordings, proxy);
            Progress.say("1. batch %s warm-up   %-22s %6.2f s  %6.1f MiB/s  client CPU %5.2f s", at, c.name(),
                    m.seconds(), bytes / 1048576.0 / m.seconds(), m.clientCpuSeconds());
        }
        Map<Contender, List<Measured>> runs = new LinkedHashMap<>();
        contenders.forEach(c -> runs.put(c, new ArrayList<>()));
        for (int rep = 0; rep < config.reps(); rep++) {
            for (int i = 0; i < contenders.size(); i++) {
                Contender c = contenders.get((i + rep) % contenders.size()); // a different order each repetition
                Measured m = measure(c, recordings, proxy);
                runs.get(c).add(m);
                Progress.say("1. batch %s rep %d/%d %-22s %6.2f s  %6.1f MiB/s  client CPU %5.2f s (others' CPU %.1f s)",
                        at, rep + 1, config.reps(), c.name(), m.seconds(), bytes / 1048576.0 / m.seconds(),
                        m.clientCpuSeconds(), m.cpu().others() / 1e9);
            }
        }
        return new Rounds(latencyMs, lineup, runs);
    }

    private Measured measure(Contender c, List<Recording> batch, LatencyProxy proxy) {
        List<Recording> recordings = Recordings.renumbered(batch, nextId);
        nextId += batch.size();
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
        Proc.Cpu cpu = stopwatch.cpu();
        return new Measured(stopwatch.nanos(), c.wholeProcess() ? cpu.endedChildren() : cpu.harness(), cpu, stored,
                webhooks, outcome.figures());
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
}
