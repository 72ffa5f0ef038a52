package dev.reelay.bench;

import dev.reelay.FileRole;
import dev.reelay.PipelineResult;
import dev.reelay.Recording;
import dev.reelay.RecordingPipeline;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;

/**
 * Reelay as a host's program uses it, a process from start to exit: builds a pipeline with the defaults (the
 * options of the warm contender: media off, the embedded journal), processes the batch, closes the pipeline and
 * returns from {@code main}. Nothing else: no warm-up, no JVM flags of its own, no {@code System.exit}; a thread
 * left running after {@code close()} keeps the process alive, and the harness reports it.
 *
 * <p>Usage: {@code ReelayProcessMain <launch nanoTime> <recordings.tsv> <s3 endpoint> <webhook url>}, where each
 * line of the file is {@code id<TAB>role<TAB>path}. Before it returns it prints one line of its own timings, in
 * seconds: {@code RESULT ok=… launchToMain=… firstResult=… process=… close=… launchToClosed=… cpuToMain=…
 * cpuProcess=… cpuClose=… cpuAtClosed=… problem=…}. {@code launchToMain} compares the harness's
 * {@link System#nanoTime()} just before it started the process with this JVM's at the start of {@code main}: on
 * Linux both read the same monotonic clock. CPU times come from /proc (user + system, 10 ms ticks) rather than
 * the management beans, which would load classes of their own.
 */
public final class ReelayProcessMain {

    private ReelayProcessMain() {
    }

    public static void main(String[] args) throws IOException {
        long main = System.nanoTime();
        long cpuAtMain = cpu();
        long launched = Long.parseLong(args[0]);
        List<Recording> recordings = read(Path.of(args[1]));
        S3Endpoint s3 = new S3Endpoint(URI.create(args[2]));
        String webhook = args[3];

        AtomicLong firstResult = new AtomicLong();
        long begun = System.nanoTime();
        RecordingPipeline pipeline = RecordingPipeline.create(ReelayContender.options(s3, webhook).build());
        List<PipelineResult> results;
        try {
            results = pipeline.process(Flux.fromIterable(recordings))
                    .doOnNext(r -> firstResult.compareAndSet(0, System.nanoTime()))
                    .collectList()
                    .block();
        } catch (RuntimeException | Error e) {
            pipeline.close();
            throw e;
        }
        long processed = System.nanoTime();
        long cpuAtProcessed = cpu();
        pipeline.close();
        long closed = System.nanoTime();
        long cpuAtClosed = cpu();

        int ok = 0;
        String problem = "none";
        for (PipelineResult r : results) {
            if (r.status() == PipelineResult.Status.COMPLETED) {
                ok++;
            } else if (problem.equals("none")) {
                problem = r.toString();
            }
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("launchToMain", seconds(main - launched));
        figures.put("firstResult", seconds(firstResult.get() == 0 ? 0 : firstResult.get() - begun));
        figures.put("process", seconds(processed - begun));
        figures.put("close", seconds(closed - processed));
        figures.put("launchToClosed", seconds(closed - launched));
        figures.put("cpuToMain", seconds(cpuAtMain));
        figures.put("cpuProcess", seconds(cpuAtProcessed - cpuAtMain));
        figures.put("cpuClose", seconds(cpuAtClosed - cpuAtProcessed));
        figures.put("cpuAtClosed", seconds(cpuAtClosed));
        StringBuilder line = new StringBuilder("RESULT ok=").append(ok);
        figures.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        // Last, since it may hold spaces: the rest of the line.
        System.out.println(line.append(" problem=").append(problem.replace('\n', ' ')));
        System.out.flush();
    }

    /** Parses a RESULT line (without the {@code RESULT} word) into its figures and the outcome. */
    static Contender.Outcome parse(String result, int expected) {
        int at = result.indexOf(" problem=");
        String problem = at < 0 ? "no problem= in " + result : result.substring(at + " problem=".length());
        Map<String, Double> figures = new LinkedHashMap<>();
        int ok = 0;
        for (String pair : (at < 0 ? result : result.substring(0, at)).trim().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.startsWith("ok=")) {
                ok = Integer.parseInt(pair.substring(eq + 1));
            } else if (eq > 0) {
                figures.put(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)));
            }
        }
        return new Contender.Outcome(ok, ok == expected ? null : problem, figures);
    }

    /** Writes the batch for {@link #read}. */
    static void write(List<Recording> recordings, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        recordings.forEach(r -> r.files().forEach(f -> lines.add(r.id() + "\t" + f.role() + "\t" + f.path())));
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /** The recordings of {@link Recordings#base}, with the files listed. */
    private static List<Recording> read(Path file) throws IOException {
        Map<Long, Recording.Builder> builders = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", 3);
            builders.computeIfAbsent(Long.parseLong(f[0]), Recordings::base).file(FileRole.valueOf(f[1]), Path.of(f[2]));
        }
        return builders.values().stream().map(Recording.Builder::build).toList();
    }

    private static long cpu() {
        return Proc.cpuNanos(ProcessHandle.current().pid());
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
