package dev.reelay.bench;

import dev.reelay.Recording;
import dev.reelay.RecordingFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A command-line tool that uploads the batch's directory to the bucket, each run a whole process from its start to
 * its exit: what a user who picks the tool instead of Reelay runs. Upload only: the tool stores the files, keyed
 * {@code <recording>/<file>} as Reelay keys them, and writes no metadata.json and sends no webhook.
 */
abstract class ToolUploader implements Contender {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final ExternalTool tool;
    private final Path source;
    private final Path scratch;

    /**
     * @param source  the directory whose sub-directories are the recordings, and that holds nothing else
     * @param scratch a directory of its own for its configuration and its output
     */
    ToolUploader(ExternalTool tool, Path source, Path scratch) {
        this.tool = tool;
        this.source = source;
        try {
            this.scratch = Files.createDirectories(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tool's arguments to upload {@code source} into the benchmark's bucket. */
    abstract List<String> arguments(Path source);

    /** The environment the tool is configured by (on top of the harness's, less every AWS_ and RCLONE_ variable). */
    abstract Map<String, String> environment(Path scratch);

    ExternalTool tool() {
        return tool;
    }

    @Override
    public String name() {
        return tool.name();
    }

    @Override
    public final int objectsPerRecording() {
        return 3;
    }

    @Override
    public final boolean sendsWebhooks() {
        return false;
    }

    @Override
    public final boolean wholeProcess() {
        return true;
    }

    @Override
    public Outcome run(List<Recording> recordings, Stopwatch stopwatch) {
        for (Recording r : recordings) {
            for (RecordingFile f : r.files()) {
                if (!f.path().toAbsolutePath().startsWith(source.toAbsolutePath())) {
                    throw new IllegalArgumentException(name() + " uploads " + source + ", which does not hold " + f.path());
                }
            }
        }
        Map<String, String> env = environment(scratch);
        List<String> args = arguments(source);
        Path log = scratch.resolve("output.log");
        stopwatch.start();
        int exit = tool.run(args, env, log, TIMEOUT);
        stopwatch.stop();
        return exit == 0 ? new Outcome(recordings.size(), null)
                : new Outcome(0, name() + " exited with code " + exit + ": " + ExternalTool.tail(log));
    }

    static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
