package dev.reelay.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Workload 2: one large video through Reelay in a child JVM with a 96 MiB heap; its peak heap
 * and peak resident set beside the same child uploading a 1 MiB video (what the JVM and the
 * libraries cost by themselves) and beside contender A on the same large video.
 */
final class LargeFileMemory {

    static final List<String> CHILD_FLAGS = List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError");

    private record Case(String name, String mode, Path video) {
    }

    private final Config config;
    private final S3Server s3;
    private final Receiver receiver;
    private final Path dir;

    LargeFileMemory(Config config, S3Server s3, Receiver receiver, Path dir) {
        this.config = config;
        this.s3 = s3;
        this.receiver = receiver;
        this.dir = dir;
    }

    Section run() {
        long bigBytes = (long) config.bigMiB() * BenchFiles.MiB;
        String big = sizeName(bigBytes);
        Progress.say("2. memory: writing a %s video", big);
        Path large = BenchFiles.random(dir.resolve("large/video.mkv"), bigBytes, 21);
        Path small = BenchFiles.random(dir.resolve("small/video.mkv"), BenchFiles.MiB, 22);
        receiver.delay(Duration.ZERO);
        List<Case> cases = List.of(
                new Case("baseline: Reelay, 1 MiB video", "reelay", small),
                new Case("Reelay, " + big + " video", "reelay", large),
                new Case("A (sequential), " + big + " video", "sequential", large));

        Markdown table = Markdown.table("run (child JVM " + String.join(" ", CHILD_FLAGS) + ")", "completed",
                "upload (s)", "MiB/s", "peak heap used (MiB)", "peak heap committed (MiB)", "heap after GC at the end (MiB)",
                "GCs", "peak RSS, VmHWM (MiB)", "stored");
        boolean reelayCompleted = false;
        String reelayMeasured = "did not run";
        String baseline = "";
        for (Case c : cases) {
            s3.clear();
            receiver.reset();
            Progress.say("2. memory: %s", c.name());
            long videoBytes = Recordings.size(c.video());
            ChildJvm child = ChildJvm.start("memory-probe", childFlags(), MemoryProbeMain.class,
                    c.mode(), c.video().toString(), s3.endpoint().toString(), receiver.url());
            Map<String, String> r;
            String failure = null;
            try {
                r = parse(child.await("RESULT", Duration.ofMinutes(10)));
                child.waitFor(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                r = Map.of();
                failure = e.getMessage();
            } finally {
                child.close();
            }
            S3Server.Count stored = s3.count();
            Receiver.Counts webhooks = receiver.counts();
            boolean completed = failure == null && "COMPLETED".equals(r.get("status"))
                    && stored.objects() == 2 && stored.bytes() > videoBytes && webhooks.created() == 1;
            if (failure != null) {
                table.row(c.name(), "**no**: " + failure, "", "", "", "", "", "", "", stored.objects() + " objects");
            } else {
                double seconds = Double.parseDouble(r.get("seconds"));
                table.row(c.name(), completed ? "yes" : "**no**: " + r.get("status"), Stats.f2(seconds),
                        Stats.f1(videoBytes / 1048576.0 / seconds), Stats.mib(Long.parseLong(r.get("peakHeap"))),
                        Stats.mib(Long.parseLong(r.get("peakCommitted"))), Stats.mib(Long.parseLong(r.get("heapAfterGc"))),
                        r.get("gcs"), Stats.f1(Long.parseLong(r.get("vmHwmKiB")) / 1024.0),
                        stored.objects() + " objects, " + Stats.mib(stored.bytes()) + " MiB, " + webhooks.created() + " webhook");
            }
            if (c.video() == small && completed) {
                baseline = " (1 MiB baseline: " + Stats.mib(Long.parseLong(r.get("peakHeap"))) + " and "
                        + Stats.f1(Long.parseLong(r.get("vmHwmKiB")) / 1024.0) + " MiB)";
            }
            if (c.video() == large && c.mode().equals("reelay")) {
                reelayCompleted = completed;
                reelayMeasured = completed ? "completed; peak heap " + Stats.mib(Long.parseLong(r.get("peakHeap")))
                        + " MiB, peak RSS " + Stats.f1(Long.parseLong(r.get("vmHwmKiB")) / 1024.0) + " MiB" + baseline
                        : "did not complete: " + (failure != null ? failure : r.get("status"));
            }
        }
        return new Section("2. Memory: one " + big + " video with -Xmx96m")
                .text("Each run is a fresh child JVM (" + String.join(" ", CHILD_FLAGS) + ", the default G1 collector) "
                        + "that uploads one video (random bytes) with metadata.json and its webhook, then prints what it "
                        + "measured. Peak heap used is the larger of the heap in use just before each collection (GC "
                        + "notifications) and a poll every 5 ms; peak RSS is the kernel's VmHWM of the child. The 1 MiB "
                        + "run shows what the JVM and the libraries cost by themselves; A shows the original design on "
                        + "the same file.")
                .table(table)
                .goal("workload 2 completes with -Xmx96m", reelayMeasured, reelayCompleted);
    }

    /** The child's flags, and the harness's outbox directory so that Reelay journals there, not in ~/.reelay. */
    private static List<String> childFlags() {
        List<String> flags = new ArrayList<>(CHILD_FLAGS);
        String outbox = System.getProperty(Benchmarks.OUTBOX_PROPERTY);
        if (outbox != null) {
            flags.add("-D" + Benchmarks.OUTBOX_PROPERTY + "=" + outbox);
        }
        return flags;
    }

    private static String sizeName(long bytes) {
        return bytes % (1024L * BenchFiles.MiB) == 0 ? bytes / (1024L * BenchFiles.MiB) + " GiB"
                : bytes / BenchFiles.MiB + " MiB";
    }

    private static Map<String, String> parse(String line) {
        Map<String, String> values = new HashMap<>();
        for (String pair : line.split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return values;
    }
}
