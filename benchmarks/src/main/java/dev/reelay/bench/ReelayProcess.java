package dev.reelay.bench;

import dev.reelay.Recording;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reelay as a whole process: {@link ReelayProcessMain} in a JVM of its own, timed from starting it to its exit, so
 * that the JVM's start, the pipeline's first (cold) run, {@code close()} and the exit all count, as they do for a
 * host that runs a batch and stops, and for the command-line tools beside it. Its journal is a directory of its
 * own, kept from run to run as a host's is.
 */
final class ReelayProcess implements Contender {

    /** How long after printing its result the process may take to exit (it closed its pipeline already). */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    private final S3Endpoint s3;
    private final String webhookUrl;
    private final Path scratch;
    private final String classpath;
    /** What the classpath is, for the table. */
    private final String classpathNote;

    ReelayProcess(S3Endpoint s3, String webhookUrl, Path scratch) {
        this.s3 = s3;
        this.webhookUrl = webhookUrl;
        try {
            this.scratch = Files.createDirectories(scratch);
            // A host's classpath: the library's runtime dependencies as the pom resolved them, and this module's
            // classes (ReelayProcessMain, the logger's settings). The harness's own also holds S3Proxy's 80-odd jars,
            // which cost a cold JVM about 5% more CPU.
            String file = System.getProperty("bench.processClasspath", "").trim();
            if (!file.isEmpty() && Files.isRegularFile(Path.of(file))) {
                String libraries = Files.readString(Path.of(file)).trim();
                Path classes = Path.of(ReelayProcessMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                this.classpath = classes + File.pathSeparator + libraries;
                this.classpathNote = "the library's runtime dependencies (" + libraries.split(File.pathSeparator).length
                        + " jars) and the benchmark's classes";
            } else {
                this.classpath = System.getProperty("java.class.path");
                this.classpathNote = "the harness's, S3Proxy's jars included (no bench.processClasspath)";
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() {
        return "Reelay (whole process)";
    }

    @Override
    public String description() {
        return "`java -cp … ReelayProcessMain` with no JVM flags (a host's `main`), on a classpath of " + classpathNote
                + ": `RecordingPipeline.create` with the options of the warm row, `process` of the batch, `close()`, "
                + "return from `main`; its journal in a directory of its own, kept between runs as a host's is";
    }

    @Override
    public int objectsPerRecording() {
        return 4;
    }

    @Override
    public boolean sendsWebhooks() {
        return true;
    }

    @Override
    public boolean wholeProcess() {
        return true;
    }

    @Override
    public Outcome run(List<Recording> recordings, Stopwatch stopwatch) {
        Path batch = scratch.resolve("recordings.tsv");
        try {
            ReelayProcessMain.write(recordings, batch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The journal's directory, as for every JVM of the harness that runs Reelay; -Dbench.processJvm=… adds flags
        // (e.g. -XX:StartFlightRecording=filename=target/process.jfr or -Xlog:class+load:file=target/classes.log).
        List<String> flags = ChildJvm.flags("-D" + Benchmarks.OUTBOX_PROPERTY + "=" + scratch.resolve("outbox"),
                "bench.processJvm");
        stopwatch.start();
        ChildJvm child = ChildJvm.start("reelay-process", flags, classpath, ReelayProcessMain.class,
                Long.toString(System.nanoTime()), batch.toString(), s3.toString(), webhookUrl);
        try {
            Outcome outcome = ReelayProcessMain.parse(child.await("RESULT", Duration.ofMinutes(10)), recordings.size());
            int exit = child.waitFor(EXIT_TIMEOUT);
            stopwatch.stop();
            if (exit != 0) {
                return new Outcome(0, exit == -1 ? "the process did not exit within " + EXIT_TIMEOUT + " of closing its "
                        + "pipeline: a thread left running after close()?" : "the process exited with code " + exit,
                        outcome.figures());
            }
            return outcome;
        } finally {
            child.close();
        }
    }
}
