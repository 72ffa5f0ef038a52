package dev.reelay.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The benchmark suite of Reelay: runs the chosen workloads in order against one S3 server
 * (S3Proxy over a filesystem store, a child JVM) and one receiver (a child JVM), prints
 * progress to stderr and the Markdown results to stdout, and writes them to
 * {@code benchmarks/target/results.md}.
 *
 * <pre>
 * mvn -q install -DskipTests &amp;&amp; mvn -q -f benchmarks/pom.xml compile exec:exec
 * </pre>
 *
 * Flags ({@code -Dbench.workloads=1,2}, {@code -Dbench.reps=5}, …) are in {@link Config}.
 */
public final class Benchmarks {

    /** Where Reelay's default embedded outbox keeps its journal. */
    static final String OUTBOX_PROPERTY = "reelay.outbox.dir";

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.fromSystemProperties();
        String loadAtStart = Machine.loadAverage();
        Path work = Files.createTempDirectory(Files.createDirectories(config.tmp()), "reelay-bench-");
        Thread cleanup = new Thread(() -> BenchFiles.deleteTree(work), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        // Reelay journals every accepted recording in its embedded outbox (part of what it costs, so kept on), by
        // default in ~/.reelay/outbox: point it at the run's temporary directory instead, before any pipeline is built.
        // That directory is by default on the disk of java.io.tmpdir, so that the journal's fsyncs cost what they cost.
        // Child JVMs that run Reelay get the same property (LargeFileMemory). The harness never has two pipelines open
        // at once, so one directory does.
        System.setProperty(OUTBOX_PROPERTY, work.resolve("outbox").toString());
        Progress.say("flags: %s", config.describe());
        // Described now: the directory is gone when the results are written.
        String storage = Machine.storage(work, work.resolve("outbox"));
        Progress.say("run's files and outbox journal: %s", storage);
        long free = Machine.usableSpace(work);
        if (free >= 0 && free < Config.TMP_NEEDED) {
            Progress.say("warning: %.1f GiB free there; the default workloads need about %d GiB (-Dbench.tmp=… puts the "
                    + "run's files elsewhere)", free / 1073741824.0, Config.TMP_NEEDED >> 30);
        }

        List<Section> sections = new ArrayList<>();
        boolean failed = false;
        try (S3Server s3 = S3Server.start(work.resolve("s3"));
             Receiver receiver = Receiver.start()) {
            Progress.say("S3Proxy (pid %d) at %s; receiver (pid %d) at %s", s3.jvm().pid(), s3.endpoint(),
                    receiver.jvm().pid(), receiver.url());
            for (int w : config.workloads()) {
                Path dir = Files.createDirectories(work.resolve("w" + w));
                Supplier<Section> workload = switch (w) {
                    case 1 -> () -> new BatchThroughput(config, s3, receiver, dir).run();
                    case 2 -> () -> new LargeFileMemory(config, s3, receiver, dir).run();
                    case 3 -> () -> new Backpressure(config, s3, receiver, dir).run();
                    case 4 -> () -> new WebhookDelivery(config, receiver).run();
                    case 5 -> () -> new MediaTiming(config, dir).run();
                    case 6 -> () -> new SharedJournal(config, s3, receiver, dir).run();
                    case 7 -> () -> new DashboardReads(config, s3, receiver, dir).run();
                    default -> throw new IllegalArgumentException("no workload " + w + " (1 to 7)");
                };
                try {
                    sections.add(workload.get());
                } catch (RuntimeException | Error e) {
                    failed = true;
                    Progress.say("workload %d FAILED: %s", w, e);
                    e.printStackTrace();
                    sections.add(new Section(w + ". FAILED").text("```\n" + e + "\n```")
                            .goal("workload " + w + " ran", e.toString(), false));
                } finally {
                    BenchFiles.deleteTree(dir);
                }
            }
        }
        Progress.say("removing temporary files");
        BenchFiles.deleteTree(work);
        Runtime.getRuntime().removeShutdownHook(cleanup);

        String results = render(config, storage, loadAtStart, sections);
        System.out.println(results);
        System.out.flush();
        write(config.out(), results);
        Progress.say("done in %.0f s; results in %s", Progress.elapsedSeconds(), config.out().toAbsolutePath());
        System.exit(failed ? 1 : 0);
    }

    private static String render(Config config, String storage, String loadAtStart, List<Section> sections) {
        StringBuilder md = new StringBuilder("# Reelay benchmarks\n\n");
        md.append(Machine.describe(config, storage, loadAtStart)).append('\n');
        Markdown goals = Markdown.table("goal", "measured", "met");
        sections.forEach(s -> s.goals().forEach(g -> goals.row(g.name(), g.measured(), g.verdict().label())));
        md.append("## Goals\n\n").append(goals).append('\n');
        sections.forEach(s -> md.append(s.markdown()));
        md.append("Whole run: ").append(Stats.f0(Progress.elapsedSeconds())).append(" s.\n");
        return md.toString();
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
