package dev.reelay.bench;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;

/**
 * Workload 3: a long stream of small recordings (one 1 KiB file each, all the same file)
 * through {@code process} against a receiver that answers after 5 ms. Heap in use after full
 * collections at checkpoints must stay flat, and the recordings taken from the source but not
 * yet emitted as results must stay within {@code recordingsInFlight}.
 */
final class Backpressure {

    static final Duration RECEIVER_DELAY = Duration.ofMillis(5);
    /** Growth of the heap after GC between the first checkpoint and the end that still counts as flat. */
    static final long FLAT_SLACK = 2L * BenchFiles.MiB;
    /** Recordings of the short run at the library's defaults, to show the rate they give. */
    static final int AT_DEFAULTS = 2_000;

    private final Config config;
    private final S3Server s3;
    private final Receiver receiver;
    private final Path dir;

    Backpressure(Config config, S3Server s3, Receiver receiver, Path dir) {
        this.config = config;
        this.s3 = s3;
        this.receiver = receiver;
        this.dir = dir;
    }

    Section run() {
        int n = config.backpressure();
        int inFlight = config.backpressureInFlight();
        Path file = BenchFiles.random(dir.resolve("tiny/video.mkv"), BenchFiles.KiB, 31);
        s3.clear();
        receiver.reset();
        receiver.delay(RECEIVER_DELAY);
        PipelineOptions defaults = ReelayContender.options(s3.endpoint(), receiver.url()).build();
        PipelineOptions options = defaults.toBuilder().recordingsInFlight(inFlight).build();

        TreeSet<Long> checkpoints = new TreeSet<>();
        for (long c : new long[] {10_000, n / 4, n / 2, 3L * n / 4, n}) {
            if (c > 0 && c <= n) {
                checkpoints.add(c);
            }
        }
        Map<Long, Long> heapAt = new TreeMap<>();
        Map<Long, Double> secondsAt = new TreeMap<>();
        AtomicLong taken = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicLong mostInFlight = new AtomicLong();
        Map<PipelineResult.Status, LongAdder> statuses = new EnumMap<>(PipelineResult.Status.class);
        for (PipelineResult.Status s : PipelineResult.Status.values()) {
            statuses.put(s, new LongAdder());
        }
        long heapBefore = Proc.heapUsedAfterGc();
        Flux<Recording> source = Flux.range(1, n)
                .map(i -> Recordings.base(i).video(file).build())
                .doOnNext(r -> mostInFlight.accumulateAndGet(taken.incrementAndGet() - done.get(), Math::max));
        Progress.say("3. backpressure: %,d recordings, recordingsInFlight %d, receiver answering after %d ms", n,
                inFlight, RECEIVER_DELAY.toMillis());
        Stopwatch stopwatch = new Stopwatch(() -> Proc.Cpu.now(s3.jvm(), receiver.jvm()));
        stopwatch.start();
        long start = System.nanoTime();
        try (RecordingPipeline pipeline = RecordingPipeline.create(options)) {
            pipeline.process(source)
                    .doOnNext(result -> {
                        statuses.get(result.status()).increment();
                        long d = done.incrementAndGet();
                        if (checkpoints.contains(d)) {
                            // A full collection, here, stalls the pipeline for its duration: the point is what stays.
                            heapAt.put(d, Proc.heapUsedAfterGc());
                            secondsAt.put(d, (System.nanoTime() - start) / 1e9);
                            Progress.say("3. backpressure: %,d done in %.1f s, heap after GC %s MiB, most in flight %d",
                                    d, secondsAt.get(d), Stats.mib(heapAt.get(d)), mostInFlight.get());
                        }
                    })
                    .blockLast();
            stopwatch.stop();
        }
        double seconds = stopwatch.nanos() / 1e9;
        Receiver.Counts webhooks = receiver.counts();
        long completed = statuses.get(PipelineResult.Status.COMPLETED).sum();

        // The same against the library's defaults, briefly: the rate they give, and that their bound holds too.
        int brief = Math.min(AT_DEFAULTS, n);
        s3.clear();
        receiver.reset();
        AtomicLong takenD = new AtomicLong();
        AtomicLong doneD = new AtomicLong();
        AtomicLong mostD = new AtomicLong();
        long t0 = System.nanoTime();
        long completedD;
        try (RecordingPipeline pipeline = RecordingPipeline.create(defaults)) {
            completedD = pipeline.process(Flux.range(1, brief)
                            .map(i -> Recordings.base(i).video(file).build())
                            .doOnNext(r -> mostD.accumulateAndGet(takenD.incrementAndGet() - doneD.get(), Math::max)))
                    .doOnNext(r -> doneD.incrementAndGet())
                    .filter(r -> r.status() == PipelineResult.Status.COMPLETED)
                    .count()
                    .block();
        }
        double secondsD = (System.nanoTime() - t0) / 1e9;
        receiver.delay(Duration.ZERO);
        Progress.say("3. backpressure: at the defaults, %,d recordings in %.1f s (%.0f/s), most in flight %d", brief,
                secondsD, brief / secondsD, mostD.get());

        // What holding the same recordings would cost, had the pipeline buffered its source.
        long heapAfter = Proc.heapUsedAfterGc();
        List<Recording> all = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            all.add(Recordings.base(i).video(file).build());
        }
        long held = Proc.heapUsedAfterGc() - heapAfter;
        Progress.say("3. backpressure: %d recordings held in a list take %s MiB", all.size(), Stats.mib(held));
        all = null;

        long first = heapAt.getOrDefault(checkpoints.first(), 0L);
        long last = heapAt.getOrDefault((long) n, 0L);
        boolean flat = heapAt.size() == checkpoints.size() && last - first <= FLAT_SLACK;
        boolean bounded = mostInFlight.get() <= inFlight;
        Markdown heap = Markdown.table("results emitted", "time (s)", "heap used after full GC (MiB)",
                "change since " + String.format("%,d", checkpoints.first()) + " (MiB)");
        heap.row("before the run", "", Stats.mib(heapBefore), "");
        heapAt.forEach((d, h) -> heap.row(String.format("%,d", d), Stats.f1(secondsAt.get(d)), Stats.mib(h),
                Stats.f2((h - first) / 1048576.0)));
        heap.row("reference: the same " + String.format("%,d", n) + " Recording values held in a list", "",
                "+" + Stats.mib(held), "");
        Proc.Cpu cpu = stopwatch.cpu();
        Markdown summary = Markdown.table("what", "value")
                .row("recordings", String.format("%,d", n) + " (one 1 KiB file each; the store gets it and metadata.json)")
                .row("settings", "Reelay defaults but recordingsInFlight " + inFlight + " (default "
                        + defaults.recordingsInFlight() + "), uploadsInFlight "
                        + options.uploadsInFlight() + ", media disabled")
                .row("wall time", Stats.f1(seconds) + " s (" + Stats.f0(n / seconds) + " recordings/s, including "
                        + checkpoints.size() + " full GCs at the checkpoints)")
                .row("CPU s: harness / S3 server / receiver", Stats.f1(cpu.harness() / 1e9) + " / " + Stats.f1(cpu.s3() / 1e9)
                        + " / " + Stats.f1(cpu.receiver() / 1e9))
                .row("results", statuses.entrySet().stream().filter(e -> e.getValue().sum() > 0)
                        .map(e -> e.getKey() + " " + String.format("%,d", e.getValue().sum())).collect(Collectors.joining(", ")))
                .row("receiver", String.format("%,d created, %,d updated, %,d other", webhooks.created(), webhooks.updated(),
                        webhooks.notFound() + webhooks.badRequest()))
                .row("most recordings in flight (taken from the source − results emitted)",
                        mostInFlight.get() + " (bound: recordingsInFlight " + inFlight + ")")
                .row("for comparison, the library's defaults (recordingsInFlight " + defaults.recordingsInFlight()
                                + "), first " + String.format("%,d", brief) + " recordings, right after",
                        Stats.f0(brief / secondsD) + " recordings/s (" + completedD + " completed, most in flight "
                                + mostD.get() + "): " + String.format("%,d", n) + " would take ≈ "
                                + Stats.f0(n / (brief / secondsD)) + " s, hence the larger bound above")
                .row("heap after GC, end − " + String.format("%,d", checkpoints.first()),
                        Stats.f2((last - first) / 1048576.0) + " MiB (flat: within " + Stats.mib(FLAT_SLACK) + " MiB)");
        String measured = "heap after GC " + Stats.mib(first) + " → " + Stats.mib(last) + " MiB, most in flight "
                + mostInFlight.get() + " of " + inFlight + ", " + String.format("%,d", completed) + " of "
                + String.format("%,d", n) + " completed";
        return new Section("3. Backpressure: " + String.format("%,d", n) + " small recordings, receiver answering after "
                + RECEIVER_DELAY.toMillis() + " ms")
                .text("The source is a lazy `Flux.range(1, " + n + ").map(…)`; the heap is measured after two "
                        + "`System.gc()` at each checkpoint, in the thread that emits that result. The reference row "
                        + "is what the heap would grow by had the pipeline buffered its source.")
                .table(summary)
                .table(heap)
                .goal("workload 3 heap flat, in flight bounded", measured,
                        flat && bounded && completed == n && webhooks.created() == n
                                && mostD.get() <= defaults.recordingsInFlight() && completedD == brief);
    }
}
